/* gateway decoders: SS_DECODER(Name, suffix) lines, in the order tried.
 * Each recognizes its format by a header or subject of its own first,
 * so the order matters only for Sendmail-like texts: the gateways that
 * print Sendmail-style markers come before Sendmail. */
SS_DECODER(Activehunter, activehunter)
SS_DECODER(Biglobe, biglobe)
SS_DECODER(EZweb, ezweb)
SS_DECODER(KDDI, kddi)
SS_DECODER(Sendmail, sendmail)
SS_DECODER(V5sendmail, v5sendmail)
SS_DECODER(Exchange2003, exchange2003)
SS_DECODER(Exchange2007, exchange2007)
SS_DECODER(Amavis, amavis)
SS_DECODER(Barracuda, barracuda)
SS_DECODER(McAfee, mcafee)
SS_DECODER(MXLogic, mxlogic)
SS_DECODER(MessageLabs, messagelabs)
SS_DECODER(InterScanMSS, interscanmss)
SS_DECODER(mFILTER, mfilter)
SS_DECODER(MailFoundry, mailfoundry)
SS_DECODER(MailMarshalSMTP, mailmarshalsmtp)
SS_DECODER(SurfControl, surfcontrol)
SS_DECODER(Mimecast, mimecast)
