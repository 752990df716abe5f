/*
 * registry.c - lookups in the code registry: reply codes, enhanced status
 * codes (classes, subjects, enumerated codes and vendor ranges), the
 * meaning of reply code digits (RFC 5321 s4.2.1), and the names of the
 * actor and retry enums.
 *
 * The tables themselves are generated (registry_data.c, made from the
 * data/ TSV files by tools/gen_registry.py); this file only searches them.
 * Every lookup is a bounded binary search or a short bounded scan over
 * static const data: no allocation, no state, safe from any thread.  It
 * does not parse codes from text (see the reply/status parsers) and does
 * not judge consistency.
 */
#include "registry.h"

const char *smtpstatus_actor_name(smtpstatus_actor a) {
    switch (a) {
    case SMTPSTATUS_ACTOR_NONE:
        return "none";
    case SMTPSTATUS_ACTOR_SENDER:
        return "sender";
    case SMTPSTATUS_ACTOR_RECIPIENT:
        return "recipient";
    case SMTPSTATUS_ACTOR_ADMIN:
        return "admin";
    case SMTPSTATUS_ACTOR_NOBODY:
        return "nobody";
    }
    return "unknown";
}

const char *smtpstatus_retry_name(smtpstatus_retry r) {
    switch (r) {
    case SMTPSTATUS_RETRY_NO:
        return "no";
    case SMTPSTATUS_RETRY_YES:
        return "yes";
    case SMTPSTATUS_RETRY_AFTER_FIX:
        return "after_fix";
    case SMTPSTATUS_RETRY_NA:
        return "na";
    }
    return "unknown";
}

const smtpstatus_reply_info *smtpstatus_reply_lookup(int code) {
    size_t lo = 0, hi = ss_registry_reply_count;
    /* Binary search: at most log2(count)+1 rounds. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = ss_registry_replies[mid].code;
        if (c == code)
            return &ss_registry_replies[mid];
        if (c < code)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

size_t smtpstatus_reply_count(void) { return ss_registry_reply_count; }

const smtpstatus_reply_info *smtpstatus_reply_at(size_t i) {
    return i < ss_registry_reply_count ? &ss_registry_replies[i] : NULL;
}

size_t smtpstatus_status_count(void) { return ss_registry_status_count; }

const smtpstatus_status_info *smtpstatus_status_at(size_t i) {
    return i < ss_registry_status_count ? &ss_registry_statuses[i] : NULL;
}

const smtpstatus_status_info *smtpstatus_class_lookup(int klass) {
    size_t i;
    if (klass != 2 && klass != 4 && klass != 5)
        return NULL;
    /* Class entries come first; stop at the first non-class entry. */
    for (i = 0; i < ss_registry_status_count; i++) {
        const smtpstatus_status_info *e = &ss_registry_statuses[i];
        if (e->klass == 0)
            break;
        if (e->klass == klass)
            return e;
    }
    return NULL;
}

/* Compare entry e with the key (subject, detail): <0, 0, >0. */
static int cmp_key(const smtpstatus_status_info *e, int subject, int detail) {
    if (e->subject != subject)
        return e->subject < subject ? -1 : 1;
    if (e->detail != detail)
        return e->detail < detail ? -1 : 1;
    return 0;
}

static int is_range(size_t idx) {
    return ss_registry_status_detail_max[idx] >
           ss_registry_statuses[idx].detail;
}

const smtpstatus_status_info *smtpstatus_status_lookup(int subject,
                                                       int detail) {
    size_t lo = 0, hi = ss_registry_status_count, i;
    const smtpstatus_status_info *best = NULL;
    int best_span = 0;

    if (subject < 0 || subject > 999 || detail < -1 || detail > 999)
        return NULL;
    /* Skip the class entries at the front. */
    while (lo < hi && ss_registry_statuses[lo].klass != 0)
        lo++;
    /* Exact entry (a subject entry when detail is -1). */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_key(&ss_registry_statuses[mid], subject, detail);
        if (c == 0) {
            if (!is_range(mid))
                return &ss_registry_statuses[mid];
            break; /* a range starts here: the range scan finds it */
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (detail < 0)
        return NULL;
    /* The narrowest range holding the detail. */
    for (i = 0; i < ss_registry_status_range_count; i++) {
        size_t idx = ss_registry_status_ranges[i];
        const smtpstatus_status_info *e;
        int top, span;
        if (idx >= ss_registry_status_count)
            continue;
        e = &ss_registry_statuses[idx];
        top = ss_registry_status_detail_max[idx];
        if (e->subject != subject || detail < e->detail || detail > top)
            continue;
        span = top - e->detail;
        if (best == NULL || span < best_span) {
            best = e;
            best_span = span;
        }
    }
    return best;
}

int ss_registry_detail_max(const smtpstatus_status_info *e) {
    if (e < ss_registry_statuses ||
        e >= ss_registry_statuses + ss_registry_status_count)
        return -1;
    return ss_registry_status_detail_max[e - ss_registry_statuses];
}

const char *smtpstatus_reply_digit_meaning(int position, int digit) {
    if (position == 1) {
        switch (digit) {
        case 2:
            return "Positive Completion reply: the requested action has "
                   "been successfully completed";
        case 3:
            return "Positive Intermediate reply: the command has been "
                   "accepted, but the server waits for more information";
        case 4:
            return "Transient Negative Completion reply: the command was "
                   "not accepted, but the error condition is temporary and "
                   "the action may be requested again";
        case 5:
            return "Permanent Negative Completion reply: the command was "
                   "not accepted and the action did not occur; do not "
                   "repeat the same request as is";
        default:
            return NULL;
        }
    }
    if (position == 2) {
        switch (digit) {
        case 0:
            return "Syntax: a syntax error, or a command that is "
                   "syntactically correct but fits no functional category "
                   "(unimplemented or superfluous)";
        case 1:
            return "Information: a reply to a request for information, "
                   "such as status or help";
        case 2:
            return "Connections: a reply about the transmission channel";
        case 3:
            return "Unspecified";
        case 4:
            return "Unspecified";
        case 5:
            return "Mail system: the status of the receiver mail system "
                   "with respect to the requested transfer or other mail "
                   "system action";
        default:
            return NULL;
        }
    }
    return NULL;
}
