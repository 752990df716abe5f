/*
 * arf.c - RFC 5965 Abuse Reporting Format feedback reports.
 *
 * Recognized by a message/feedback-report part, or by
 * multipart/report; report-type=feedback-report.  One record per
 * Original-Rcpt-To (or Removal-Recipient); when there is none, the To: of
 * the reported message; when that is redacted too ("Undisclosed
 * recipients"), one record with an empty recipient, so that the complaint
 * and the reported Message-ID are not lost.  Reason "feedback", action
 * "feedback".
 *
 * Also Apple Mail's one-click unsubscribe message (X-Apple-Unsubscribe:
 * true): feedback type "opt-out", the recipient is the sender (From:).
 */
#include "../decoder.h"
#include "provutil.h"

static void add_rcpt(ss_bounce *out, ss_str addr, ss_str type) {
    ss_fact *f = pv_add_rcpt(out, addr);
    if (!f)
        return;
    f->feedback_type = type;
    f->action = SS_STR("feedback");
    f->reason = SMTPSTATUS_R_FEEDBACK;
    f->hard = 0;
}

/* The report (the Apple form aside), for a message with a feedback-report
 * part or "feedback-report" in its Content-Type. */
PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    ss_str report = SS_NULLSTR;
    if (v->feedback)
        report = v->feedback_text;
    else {
        ss_str ct = v->root->ctype;
        ss_str rt = ss_header_param(ct, "report-type");
        if (!pv_eq_str(rt, "feedback-report"))
            return SS_DEC_NO;
        /* report-type says so but the part is mislabelled: look for the
         * fields in the text */
        if (ss_find_ci(v->text, "Feedback-Type:") < 0)
            return SS_DEC_NO;
        report = v->text;
    }
    out->decoder = "ARF";
    ss_str type = SS_NULLSTR;
    size_t pos = 0;
    ss_str line;
    size_t before = out->nfacts;
    /* first pass: the type */
    while (ss_next_line(report, &pos, &line)) {
        if (pv_starts_lit(line, "Feedback-Type:")) {
            type = ss_trim(ss_str_make(line.ptr + 14, line.len - 14));
            break;
        }
    }
    pos = 0;
    while (ss_next_line(report, &pos, &line)) {
        ss_str val;
        if (pv_starts_lit(line, "Original-Rcpt-To:"))
            val = ss_str_make(line.ptr + 17, line.len - 17);
        else if (pv_starts_lit(line, "Removal-Recipient:"))
            val = ss_str_make(line.ptr + 18, line.len - 18);
        else
            continue;
        ss_str a = ss_find_address(val);
        if (a.len)
            add_rcpt(out, a, type);
    }
    if (out->nfacts == before && v->original) {
        /* the reported message's To: */
        ss_header *h = NULL;
        size_t n = 0, body = 0;
        unsigned w = 0;
        if (ss_parse_headers(out->arena, out->limits, v->original_text, &h, &n,
                             &body, &w) == SMTPSTATUS_OK) {
            ss_str to = ss_header_raw(h, n, "To");
            ss_str a = ss_find_address(to);
            if (a.len)
                add_rcpt(out, a, type);
        }
    }
    if (out->nfacts == before)
        add_rcpt(out, SS_NULLSTR, type); /* recipient redacted */
    return SS_DEC_YES;
}

int ss_decode_arf(const ss_view *v, ss_bounce *out) {
    if (pv_eq_str(ss_trim(pv_header(v->root, "X-Apple-Unsubscribe")),
                  "true")) {
        out->decoder = "ARF";
        add_rcpt(out, v->from_addr, SS_STR("opt-out"));
        return SS_DEC_YES;
    }
    /* Without a feedback-report part, the report-type parameter decides:
     * a parameter is in the Content-Type when it goes on after the type
     * (root->ctype; no lookup), and its value, a slice of it, cannot be
     * "feedback-report" when it does not hold those words (a cheap test
     * first, from the rare 'k': the '-' would stop at every dash of a
     * boundary). */
    if (!v->feedback && pv_find_ci_by(v->root->ctype, "feedback-report", 'k') < 0)
        return SS_DEC_NO;
    return decode(v, out);
}
