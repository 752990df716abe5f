/*
 * verizon.c - bounces from Verizon Wireless messaging gateways: the MMS
 * gateway ("MMSC NDR Administrator" at vzwpix.com, Subject "Undeliverable
 * Message") and the SMS gateway (post_master@vtext.com).
 *
 *   Message could not be delivered to mobile.
 *   Error: No valid recipients for this MM
 *   ...
 *   Original Message:
 *   To: 0000000000@vzwpix.com
 *
 *   Error: Invalid user address
 *   Error message below:
 *   550 - Requested action not taken: no such user here
 *   Message details:
 *     RCPT TO: user@vtext.com
 *
 * The recipient is the To: of the quoted original (MMS) or the RCPT TO:
 * of the message details (SMS).  Both gateways' "no valid recipients" /
 * "no such user" wordings mean the recipient does not exist.
 */
#include "provutil.h"

int ss_decode_verizon(const ss_view *v, ss_bounce *out) {
    /* mms: From holds "vzwpix.com"; else sms: it holds "@vtext.com"
     * (ASCII case ignored).  Both literals have their '.' at offset 6:
     * one pass over the dots of From tests both. */
    int from = pv_lit2(v->from, '.', "vzwpix.com", 6, "@vtext.com", 6);
    if (!from)
        return SS_DEC_NO;
    int mms = from == 2;
    ss_str rcpt = SS_NULLSTR, diag = SS_NULLSTR, orig = SS_NULLSTR;
    size_t pos = 0;
    ss_str line;
    int in_orig = 0, in_msg = 0;
    while (ss_next_line(v->text, &pos, &line)) {
        ss_str t = ss_trim(line);
        if (mms) {
            if (pv_starts_lit(t, "Original Message:")) {
                in_orig = 1;
                orig = ss_str_make(v->text.ptr + pos, v->text.len - pos);
                continue;
            }
            if (!in_orig && pv_starts_lit(t, "Error:") && !diag.len)
                diag = ss_trim(ss_str_make(t.ptr + 6, t.len - 6));
            if (in_orig && pv_starts_lit(t, "To:") && !rcpt.len)
                rcpt = ss_find_address(ss_str_make(t.ptr + 3, t.len - 3));
        } else {
            if (pv_starts_lit(t, "Error message below:")) {
                in_msg = 1;
                continue;
            }
            if (pv_starts_lit(t, "Message details:")) {
                in_msg = 0;
                continue;
            }
            if (in_msg && t.len && !diag.len)
                diag = t;
            if (pv_starts_lit(t, "RCPT TO:") && !rcpt.len)
                rcpt = ss_find_address(ss_str_make(t.ptr + 8, t.len - 8));
        }
    }
    if (!rcpt.len)
        return SS_DEC_NO;
    ss_fact *f = pv_add_rcpt(out, rcpt);
    if (!f)
        return SS_DEC_YES;
    f->diagnostic = diag;
    pv_lead_reply(f, diag);
    if (ss_find_ci(diag, "No valid recipients") >= 0 ||
        ss_find_ci(diag, "no such user") >= 0) {
        f->reason = SMTPSTATUS_R_USERUNKNOWN;
        f->hard = 1;
    }
    out->decoder = "Verizon";
    if (!v->original && orig.len)
        out->original = orig;
    return SS_DEC_YES;
}
