/* mta decoders: SS_DECODER(Name, suffix) lines, in the order tried. */
SS_DECODER(DragonFly, dragonfly)
SS_DECODER(qmail, qmail)
SS_DECODER(Postfix, postfix)
SS_DECODER(Exim, exim)
SS_DECODER(OpenSMTPD, opensmtpd)
