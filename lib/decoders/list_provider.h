/* provider decoders: SS_DECODER(Name, suffix) lines, in the order tried.
 * Each recognizes its provider by a header, the sender or a field of its
 * report first; GoogleGroups before Gmail (same sender, more specific),
 * in one entry. */
SS_DECODER(GoogleGroups, googlegroups_gmail) /* GoogleGroups, then Gmail: see googlegroups.c */
SS_DECODER(Yahoo, yahoo)
SS_DECODER(GMX, gmx)
SS_DECODER(EinsUndEins, einsundeins)
SS_DECODER(Zoho, zoho)
SS_DECODER(AmazonWorkMail, amazonworkmail)
SS_DECODER(AmazonSES, amazonses)
SS_DECODER(ReceivingSES, receivingses)
SS_DECODER(Verizon, verizon)
SS_DECODER(Outlook, outlook)
SS_DECODER(PowerMTA, powermta)
SS_DECODER(Bigfoot, bigfoot)
SS_DECODER(MailRu, mailru)
SS_DECODER(SendGrid, sendgrid)
SS_DECODER(Facebook, facebook)
SS_DECODER(Aol, aol)
