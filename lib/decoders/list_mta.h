/* mta decoders: SS_DECODER(Name, suffix) lines, in the order tried. */
SS_DECODER(DragonFly, dragonfly)
SS_DECODER(Postfix, postfix)
SS_DECODER(Exim, exim)
