/*
 * source.h - what the library itself uses of the readers beyond the
 * public smtpstatus_reader_* API.
 */
#ifndef SS_SOURCE_H
#define SS_SOURCE_H

#include "smtpstatus.h"

/* A reader over an mbox held in memory (buf starts with "From "), split
 * and unquoted exactly as an mbox file is.  buf is not copied (unless its
 * lines end in bare CR) and must outlive the reader.  NULL with *rc set on
 * failure. */
smtpstatus_reader *ss_reader_open_mem(const char *buf, size_t len,
                                      const char *name,
                                      const smtpstatus_limits *limits,
                                      smtpstatus_rc *rc);

#endif
