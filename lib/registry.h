/*
 * registry.h - internal view of the code registry: the generated tables
 * (lib/registry_data.c, made by tools/gen_registry.py from the data/ TSV
 * files) that lib/registry.c searches.
 *
 * Not part of the public API: use smtpstatus_reply_lookup() and friends.
 * Nothing here is mutable.
 */
#ifndef SS_REGISTRY_H
#define SS_REGISTRY_H

#include <stddef.h>

#include "smtpstatus.h"

/* Reply codes, sorted by code. */
extern const smtpstatus_reply_info ss_registry_replies[];
extern const size_t ss_registry_reply_count;
extern const size_t ss_registry_reply_standard_count;

/* Status entries: classes 2, 4, 5 first, then each subject entry
 * followed by its codes in (subject, detail) order. */
extern const smtpstatus_status_info ss_registry_statuses[];
extern const size_t ss_registry_status_count;
extern const size_t ss_registry_status_standard_count;
/* Per entry: the last detail it covers (== detail, or the top of a range
 * such as X.7.606-649; -1 for class and subject entries). */
extern const short ss_registry_status_detail_max[];
/* Indexes of range entries. */
extern const unsigned short ss_registry_status_ranges[];
extern const size_t ss_registry_status_range_count;

/* The last detail an entry covers (see above); -1 if e is not from the
 * table. */
int ss_registry_detail_max(const smtpstatus_status_info *e);

#endif /* SS_REGISTRY_H */
