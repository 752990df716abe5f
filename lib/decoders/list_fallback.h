/* fallback decoders: SS_DECODER(Name, suffix) lines, in the order tried. */
SS_DECODER(Fallback, fallback)
