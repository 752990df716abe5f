/*
 * version.c - the linked library's version string and the messages for
 * smtpstatus_rc error codes.
 *
 * Does not: anything else.  Both functions return static strings.
 */
#include "smtpstatus.h"

const char *smtpstatus_version(void) { return SMTPSTATUS_VERSION_STRING; }

const char *smtpstatus_strerror(smtpstatus_rc rc) {
    switch (rc) {
    case SMTPSTATUS_OK:
        return "success";
    case SMTPSTATUS_EINVAL:
        return "invalid argument (NULL or out of range)";
    case SMTPSTATUS_ENOMEM:
        return "out of memory";
    case SMTPSTATUS_ESYNTAX:
        return "syntax error: the input does not follow the grammar";
    case SMTPSTATUS_EINCOMPLETE:
        return "incomplete input: it ended before the construct did";
    case SMTPSTATUS_ENOTFOUND:
        return "not found: nothing of the kind looked for";
    case SMTPSTATUS_EIO:
        return "input/output error: a file could not be opened or read";
    case SMTPSTATUS_ELIMIT:
        return "a hard limit was hit";
    case SMTPSTATUS_ECALLBACK:
        return "stopped by the caller's callback";
    }
    return "unknown error code";
}
