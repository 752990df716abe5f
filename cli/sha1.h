/*
 * sha1.h - SHA-1 (FIPS 180-4) for the sisimai-compatible "token" field of
 * the command-line tool.  Not for security use.
 */
#ifndef SMTPSTATUS_CLI_SHA1_H
#define SMTPSTATUS_CLI_SHA1_H

#include <stddef.h>

/* Hash len bytes of data; write 40 lowercase hex digits and a NUL. */
void sha1_hex(const void *data, size_t len, char out[41]);

#endif
