/*
 * googlegroups.c - Google Groups rejections of a post ("the group you
 * tried to contact (name) may not exist, or you may not have permission
 * to post messages to the group"), sent from mailer-daemon@googlemail.com
 * with X-Failed-Recipients: and X-Google-Smtp-Source: headers, no
 * delivery-status part, and the Google Groups help address or signature
 * in the text.
 *
 * The recipients come from X-Failed-Recipients:; the diagnostic is the
 * explanation before "----- Original message -----".  When the text lists
 * the four usual "* ..." causes, the reason is "rejected" (the group
 * refused the post); otherwise it is left to the classifier.  Plain
 * Gmail delivery failures (no X-Failed-Recipients:) are not handled here.
 */
#include "provutil.h"

/* defined in gmail.c */
int ss_decode_gmail_known(const ss_view *v, ss_bounce *out);

/* The GoogleGroups decoder past the tests it shares with Gmail's. */
PV_NOINLINE static int decode_groups(const ss_view *v, ss_bounce *out) {
    if (!pv_has_header(v, "X-Failed-Recipients") ||
        !pv_has_header(v, "X-Google-Smtp-Source") ||
        (pv_find_ci_by(v->text, "groups.google.com", '.') < 0 &&
         ss_find_ci(v->text, "Google Groups") < 0))
        return SS_DEC_NO;
    static const char *const ends[] = {"----- Original message -----", NULL};
    ss_str orig;
    ss_str body = pv_upto(v->text, ends, &orig);
    /* count the bullet lines "* ..." */
    size_t pos = 0, bullets = 0;
    ss_str line;
    while (ss_next_line(body, &pos, &line)) {
        ss_str t = ss_trim(line);
        if (t.len > 2 && t.ptr[0] == '*' && t.ptr[1] != '*')
            bullets++;
    }
    /* the diagnostic: the paragraphs up to the bullet list */
    ss_str diag = ss_trim(body);
    long star = ss_find(diag, "\n *", 3);
    if (star < 0)
        star = ss_find(diag, "\n*", 2);
    if (star > 0)
        diag.len = (size_t)star;
    if (diag.len > 1024)
        diag.len = 1024;
    out->decoder = "GoogleGroups";
    if (!v->original && orig.len)
        out->original = orig;
    size_t first = out->nfacts;
    pv_add_list(out, pv_header(v->root, "X-Failed-Recipients"), diag);
    for (size_t i = first; i < out->nfacts; i++)
        if (bullets == 4) {
            out->facts[i].reason = SMTPSTATUS_R_REJECTED;
            out->facts[i].hard = 0;
        }
    return out->nfacts > first ? SS_DEC_YES : SS_DEC_NO;
}

/* GoogleGroups, then Gmail (the next in the table), tried as the analyzer
 * tries any two decoders (Gmail from no facts, under its own name): one
 * table entry, so that the tests both make first (no delivery-status
 * part, the sender, the subject), which most messages fail, are made
 * once. */
int ss_decode_googlegroups_gmail(const ss_view *v, ss_bounce *out) {
    if (v->dsn || !pv_from_has(v, "mailer-daemon@googlemail.com") ||
        ss_find(v->subject, "Delivery Status Notification", 28) < 0)
        return SS_DEC_NO;
    if (decode_groups(v, out) == SS_DEC_YES)
        return SS_DEC_YES;
    ss_bounce_begin(out, "Gmail");
    return ss_decode_gmail_known(v, out);
}
