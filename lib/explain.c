/*
 * explain.c - smtpstatus_explain(): one code, reply or diagnostic string
 * in, everything the library knows about it out (registry entries, class,
 * reason, hard/soft, retry, advice, consistency, warnings).
 *
 * It only combines the parser (reply.c), the registry (registry.c) and
 * the classifier (classify.c); it knows no codes itself.
 */
#include "util.h"

static const char *class_name(int digit) {
    switch (digit) {
    case 2: return "success";
    case 3: return "intermediate";
    case 4: return "transient";
    case 5: return "permanent";
    default: return NULL;
    }
}

/* Whether the same message can succeed later, judged from the reason
 * alone (used when the input has no code at all). */
static smtpstatus_retry reason_retry(smtpstatus_reason r) {
    switch (r) {
    case SMTPSTATUS_R_USERUNKNOWN:
    case SMTPSTATUS_R_HOSTUNKNOWN:
    case SMTPSTATUS_R_HASMOVED:
    case SMTPSTATUS_R_NOTACCEPT:
    case SMTPSTATUS_R_SUSPEND:
        return SMTPSTATUS_RETRY_NO;
    case SMTPSTATUS_R_MAILBOXFULL:
    case SMTPSTATUS_R_SYSTEMFULL:
    case SMTPSTATUS_R_NETWORKERROR:
    case SMTPSTATUS_R_EXPIRED:
    case SMTPSTATUS_R_SPEEDING:
    case SMTPSTATUS_R_TOOMANYCONN:
    case SMTPSTATUS_R_SYSTEMERROR:
    case SMTPSTATUS_R_MAILERERROR:
    case SMTPSTATUS_R_ONHOLD:
    case SMTPSTATUS_R_UNDEFINED:
        return SMTPSTATUS_RETRY_YES;
    case SMTPSTATUS_R_DELIVERED:
    case SMTPSTATUS_R_FEEDBACK:
    case SMTPSTATUS_R_VACATION:
    case SMTPSTATUS_R_NOT_A_BOUNCE:
        return SMTPSTATUS_RETRY_NA;
    default:
        return SMTPSTATUS_RETRY_AFTER_FIX;
    }
}

/* Who normally has to act, judged from the reason alone. */
static smtpstatus_actor reason_actor(smtpstatus_reason r) {
    switch (r) {
    case SMTPSTATUS_R_USERUNKNOWN:
    case SMTPSTATUS_R_HOSTUNKNOWN:
    case SMTPSTATUS_R_HASMOVED:
    case SMTPSTATUS_R_NOTACCEPT:
    case SMTPSTATUS_R_SUSPEND:
    case SMTPSTATUS_R_MAILBOXFULL:
        return SMTPSTATUS_ACTOR_RECIPIENT;
    case SMTPSTATUS_R_SYSTEMFULL:
    case SMTPSTATUS_R_SYSTEMERROR:
    case SMTPSTATUS_R_MAILERERROR:
    case SMTPSTATUS_R_NETWORKERROR:
        return SMTPSTATUS_ACTOR_ADMIN;
    case SMTPSTATUS_R_SPEEDING:
    case SMTPSTATUS_R_TOOMANYCONN:
    case SMTPSTATUS_R_EXPIRED:
    case SMTPSTATUS_R_ONHOLD:
    case SMTPSTATUS_R_UNDEFINED:
        return SMTPSTATUS_ACTOR_NOBODY;
    case SMTPSTATUS_R_DELIVERED:
    case SMTPSTATUS_R_FEEDBACK:
    case SMTPSTATUS_R_VACATION:
    case SMTPSTATUS_R_NOT_A_BOUNCE:
        return SMTPSTATUS_ACTOR_NONE;
    default:
        return SMTPSTATUS_ACTOR_SENDER;
    }
}

smtpstatus_rc smtpstatus_explain(const char *buf, size_t len,
                                 smtpstatus_explanation *out) {
    if (!out || (!buf && len))
        return SMTPSTATUS_EINVAL;
    memset(out, 0, sizeof *out);
    if (!buf)
        buf = "";
    smtpstatus_diag d;
    smtpstatus_rc rc = smtpstatus_diag_parse(buf, len, &d);
    if (rc != SMTPSTATUS_OK && rc != SMTPSTATUS_ENOTFOUND)
        return rc;
    out->reply_code = d.reply_code;
    out->status = d.status;
    out->text = d.text;
    out->warnings = d.warnings;

    if (d.reply_code)
        out->reply = smtpstatus_reply_lookup(d.reply_code);
    const smtpstatus_status_info *subj = NULL;
    if (d.status.klass) {
        out->status_info =
            smtpstatus_status_lookup(d.status.subject, d.status.detail);
        subj = smtpstatus_status_lookup(d.status.subject, -1);
        if (subj)
            out->subject = subj->name;
    }
    int digit = d.reply_code ? d.reply_code / 100 : d.status.klass;
    out->klass = class_name(digit);
    out->consistent =
        !(d.reply_code && d.status.klass &&
          d.reply_code / 100 != d.status.klass);

    smtpstatus_evidence ev;
    memset(&ev, 0, sizeof ev);
    ev.reply_code = d.reply_code;
    ev.status = d.status;
    ev.text = d.text.ptr;
    ev.text_len = d.text.len;
    if (digit == 2 || digit == 3) {
        out->verdict.reason = SMTPSTATUS_R_DELIVERED;
        out->verdict.hard_bounce = 0;
        out->verdict.why = digit == 2 ? "success reply" : "intermediate reply";
    } else {
        smtpstatus_classify(&ev, &out->verdict);
    }

    /* retry and actor: the most specific source that says */
    const smtpstatus_status_info *si = out->status_info ? out->status_info : subj;
    if (digit == 2 || digit == 3) {
        out->retry = SMTPSTATUS_RETRY_NA;
        out->actor = SMTPSTATUS_ACTOR_NONE;
    } else if (si && digit == 5) {
        out->retry = si->retry_permanent;
        out->actor = si->actor;
    } else if (si && digit == 4) {
        out->retry = si->retry_transient;
        out->actor = si->actor;
    } else if (out->reply) {
        out->retry = out->reply->retry;
        out->actor = out->reply->actor;
    } else {
        out->retry = digit == 4 ? SMTPSTATUS_RETRY_YES : SMTPSTATUS_RETRY_NO;
        out->actor = digit == 4 ? SMTPSTATUS_ACTOR_NOBODY
                                : SMTPSTATUS_ACTOR_SENDER;
    }
    /* no code at all: what the reason implies */
    if (!digit) {
        out->retry = reason_retry(out->verdict.reason);
        out->actor = reason_actor(out->verdict.reason);
    }
    /* a transient reply can always be tried again later */
    if (digit == 4 && out->retry == SMTPSTATUS_RETRY_NO)
        out->retry = SMTPSTATUS_RETRY_YES;

    /* advice: for a success, what the reply means; for a failure, the
     * reason says most when the text decided it */
    if ((digit == 2 || digit == 3) && out->reply)
        out->advice = out->reply->advice;
    else if (out->verdict.reason != SMTPSTATUS_R_UNDEFINED &&
             out->verdict.reason != SMTPSTATUS_R_DELIVERED)
        out->advice = smtpstatus_reason_advice(out->verdict.reason);
    if (!out->advice && out->status_info)
        out->advice = out->status_info->advice;
    if (!out->advice && out->reply)
        out->advice = out->reply->advice;
    if (!out->advice && subj)
        out->advice = subj->advice;
    if (!out->advice)
        out->advice = smtpstatus_reason_advice(out->verdict.reason);

    if (d.reply_code == 0 && d.status.klass == 0)
        return SMTPSTATUS_ENOTFOUND;
    return SMTPSTATUS_OK;
}
