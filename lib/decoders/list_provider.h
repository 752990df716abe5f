/* provider decoders: SS_DECODER(Name, suffix) lines, in the order tried. */
SS_DECODER(GoogleGroups, googlegroups)
SS_DECODER(Yahoo, yahoo)
