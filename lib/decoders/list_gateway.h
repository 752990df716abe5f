/* gateway decoders: SS_DECODER(Name, suffix) lines, in the order tried. */
SS_DECODER(Sendmail, sendmail)
SS_DECODER(V5sendmail, v5sendmail)
