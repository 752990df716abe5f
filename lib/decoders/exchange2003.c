/*
 * exchange2003.c - non-delivery reports of Microsoft Exchange Server 5.5
 * to 2003 ("Internet Mail Service" / "Internet Mail Connector"): plain
 * text such as
 *
 *   Your message
 *     To:      ...
 *   did not reach the following recipient(s):
 *   user@example.org on Thu, 29 Apr 2010 00:00:00 -0000
 *       The recipient name is not recognized
 *       MSEXCH:IMS:ORG:SITE:SERVER 0 (000C05A6) Unknown Recipient
 *
 * Recognized by X-MS-Embedded-Report, X-Mailer "Internet Mail Service (" or
 * "Microsoft Exchange Server Internet Mail Connector", X-MimeOLE "Produced
 * By Microsoft Exchange", or a Received header "with Internet Mail
 * Service (", and then the text marker.  The MSEXCH code in parentheses
 * names the failure (000C05A6 unknown recipient, ...): the reason is taken
 * from it.  Exchange 2007 and later reports are exchange2007.c's.
 */
#include "gw_util.h"

static const struct {
    const char *code;
    int reason;
} msexch_codes[] = {
    {"000C05A6", SMTPSTATUS_R_USERUNKNOWN},   /* Unknown Recipient */
    {"000C0595", SMTPSTATUS_R_FILTERED},      /* Ambiguous Recipient */
    {"00010256", SMTPSTATUS_R_SYSTEMERROR},   /* Too many recipients */
    {"000D06B5", SMTPSTATUS_R_SYSTEMERROR},   /* No proxy for recipient */
    {"00120270", SMTPSTATUS_R_NETWORKERROR},  /* Too many hops */
    {"00050311", SMTPSTATUS_R_CONTENTERROR},  /* Conversion failed */
    {"000502CC", SMTPSTATUS_R_CONTENTERROR},  /* Conversion failed */
    {"000B0981", SMTPSTATUS_R_SECURITYERROR}, /* Server does not support AUTH */
    {"000B099C", SMTPSTATUS_R_ONHOLD},        /* remote errors, several kinds */
    {"000B09AA", SMTPSTATUS_R_ONHOLD},
    {"000B09B6", SMTPSTATUS_R_ONHOLD},
    {NULL, 0},
};

#define EX3_MAX 256

typedef struct ex3_rcpt {
    ss_str recipient, msexch, other;
} ex3_rcpt;

static int is_exchange(const ss_view *v) {
    if (pv_header(v->root, "X-MS-Embedded-Report").ptr)
        return 1;
    ss_str xm = ss_trim(pv_header(v->root, "X-Mailer"));
    if (pv_starts_lit(xm, "Internet Mail Service (") ||
        pv_starts_lit(xm, "Microsoft Exchange Server Internet Mail Connector"))
        return 1;
    if (pv_starts_lit(ss_trim(pv_header(v->root, "X-MimeOLE")),
                      "Produced By Microsoft Exchange"))
        return 1;
    return gw_any_header_has(v, "Received", " with Internet Mail Service (");
}

/* "user@example.org on Thu, ..." or "c=US;...;cat:SMTP=USER@EXAMPLE.ORG;
 * on ..." : the address, or a NULL slice. */
static ss_str recipient_line(ss_str line) {
    ss_str t = ss_trim(line);
    long on = ss_find(t, " on ", 4);
    long at = ss_find(t, "@", 1);
    if (on < 0 || at < 0 || at > on)
        return SS_NULLSTR;
    ss_str head = ss_str_make(t.ptr, (size_t)on);
    long smtp = ss_find_ci(head, ":smtp=");
    if (smtp >= 0) {
        head = gw_skip(head, (size_t)smtp + 6);
        while (head.len && head.ptr[head.len - 1] == ';')
            head.len--;
    }
    return ss_find_address(head);
}

PV_NOINLINE static int decode(const ss_view *v, ss_bounce *out) {
    if (!is_exchange(v))
        return SS_DEC_NO;
    ss_str text = v->text;
    long start = gw_find_line(text, 0, "did not reach the following recipient(s):", 0, NULL);
    if (start < 0)
        start = gw_find_line(text, 0, "The following recipient(s) could not be reached:", 0, NULL);
    if (start < 0)
        return SS_DEC_NO;

    ex3_rcpt r[EX3_MAX];
    size_t nr = 0, pos = (size_t)start, n = 0;
    ss_str line;
    int blanks = 0, after_msexch = 0;
    while (ss_next_line(text, &pos, &line) && n++ < GW_MAX_LINES) {
        ss_str t = ss_trim(line);
        if (!t.len) {
            if (nr && ++blanks >= 2)
                break;
            continue;
        }
        blanks = 0;
        ss_str a = recipient_line(line);
        if (a.len) {
            if (nr >= EX3_MAX)
                break;
            memset(&r[nr], 0, sizeof r[nr]);
            r[nr++].recipient = a;
            after_msexch = 0;
            continue;
        }
        if (!nr)
            continue;
        ex3_rcpt *cur = &r[nr - 1];
        if (pv_starts_lit(t, "MSEXCH:")) {
            cur->msexch = gw_join(out->arena, cur->msexch, t);
            after_msexch = 1;
        } else if (after_msexch && line.ptr[0] != ' ' && line.ptr[0] != '\t') {
            /* "Unknown Recipient" wrapped onto the next line */
            cur->msexch = gw_join(out->arena, cur->msexch, t);
        } else if (pv_starts_lit(t, "The MTS-ID of the original message") ||
                   t.ptr[0] == ';') {
            continue;
        } else {
            cur->other = gw_join(out->arena, cur->other, t);
        }
    }
    if (!nr)
        return SS_DEC_NO;

    for (size_t i = 0; i < nr; i++) {
        ss_fact *f = pv_add_rcpt(out, r[i].recipient);
        if (!f)
            break;
        ss_str m = r[i].msexch;
        long lp = ss_find(m, "(", 1), rp = ss_find(m, ")", 1);
        if (lp >= 0 && rp > lp) {
            ss_str code = ss_str_make(m.ptr + lp + 1, (size_t)(rp - lp - 1));
            for (size_t k = 0; msexch_codes[k].code; k++)
                if (ss_eq_ci(code, msexch_codes[k].code)) {
                    f->reason = msexch_codes[k].reason;
                    break;
                }
            ss_str msg = ss_trim(gw_skip(m, (size_t)rp + 1));
            f->diagnostic = gw_join(out->arena, r[i].other, msg);
        } else {
            f->diagnostic = gw_join(out->arena, r[i].other, m);
        }
    }
    return SS_DEC_YES;
}

int ss_decode_exchange2003(const ss_view *v, ss_bounce *out) {
    /* both markers below hold "(s)": without it in the text there is
     * nothing to do (checked first: cheaper than the headers) */
    if (ss_find(v->text, "(s)", 3) < 0)
        return SS_DEC_NO;
    return decode(v, out);
}
