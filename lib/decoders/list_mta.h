/* mta decoders: SS_DECODER(Name, suffix) lines, in the order tried.
 * Decoders with narrow markers (a fixed first line of text) come first;
 * Exim, whose recognition scores headers, comes last. */
SS_DECODER(DragonFly, dragonfly)
SS_DECODER(X2, x2)
SS_DECODER(qmail, qmail_x4) /* qmail, then X4: see qmail.c */
SS_DECODER(OpenSMTPD, opensmtpd)
SS_DECODER(MessagingServer, messagingserver)
SS_DECODER(IMailServer, imailserver)
SS_DECODER(X3, x3)
SS_DECODER(FML, fml)
SS_DECODER(Notes, notes)
SS_DECODER(Domino, domino)
SS_DECODER(Courier, courier)
SS_DECODER(ApacheJames, apachejames)
SS_DECODER(X1, x1)
SS_DECODER(X6, x6)
SS_DECODER(Postfix, postfix)
SS_DECODER(Exim, exim)
