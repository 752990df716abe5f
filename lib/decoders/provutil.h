/*
 * provutil.h - small text helpers shared by the provider decoders and the
 * generic fallback (lib/decoders/provutil.c): cutting the bounce text at
 * the line where the original message starts, recognizing a line that is
 * just a recipient address, guessing the SMTP command from the words
 * around a reply, and picking an inner "<421 4.4.2 ...>" reply.
 *
 * Internal to the decoders; nothing here classifies.
 */
#ifndef SS_PROVUTIL_H
#define SS_PROVUTIL_H

#include "../decoder.h"

/* The part of text before the first line that starts with one of
 * markers (case-insensitive; leading white space, dashes, '=' and '*'
 * of both are ignored, so "-------- Original message follows" matches
 * "Original message follows"; a marker without leading dashes does not
 * match an indented line); *after (if not NULL) gets the text following
 * that line, without leading blank lines, or an empty slice.  Without a
 * marker line the whole text is returned. */
ss_str pv_upto(ss_str text, const char *const *markers, ss_str *after);

/* 1 when the From: address's local part equals local (case-insensitive). */
int pv_from_local(const ss_view *v, const char *local);

/* 1 when the decoded From: contains s (case-insensitive). */
int pv_from_has(const ss_view *v, const char *s);

/* 1 when the top-level header name is present. */
int pv_has_header(const ss_view *v, const char *name);

/* When line holds nothing but one address (with optional <>, quotes,
 * "mailto:", a trailing ':' and white space), that address; else a NULL
 * slice. */
ss_str pv_addr_line(ss_str line);

/* The SMTP command a diagnostic names ("RCPT TO", "[RCPT_TO]",
 * "in reply to MAIL FROM", "after end of data", ...) as a literal slice,
 * or a NULL slice. */
ss_str pv_command(ss_str diag);

/* If diag holds "<NNN N.N.N ...>" (the remote reply quoted inside the
 * reporting server's own), set the fact's reply_code and status from it;
 * with an arena, the diagnostic becomes "NNN N.N.N ... (outer words)" so
 * that the remote server's reply comes first. */
void pv_inner_reply(ss_arena *a, ss_fact *f, ss_str diag);

/* If diag starts with a reply code ("550:", "550 ", "550-"), set the
 * fact's reply_code from it. */
void pv_lead_reply(ss_fact *f, ss_str diag);

/* Strip trailing white space and a trailing ':' from s. */
ss_str pv_rstrip_colon(ss_str s);

/* Parse the recipients in an X-Failed-Recipients style list (addresses
 * separated by ',' or white space) into new facts with diagnostic diag;
 * returns how many were added. */
size_t pv_add_list(ss_bounce *out, ss_str list, ss_str diag);

/* Recipient blocks: each line of region that is only an address starts
 * a fact; the non-blank lines below it (up to the next address line) are
 * its diagnostic, without a leading "Reason:" style label.  Lines before
 * the first address are ignored.  Returns how many facts were added. */
size_t pv_blocks(ss_str region, ss_bounce *out);

#endif
