/* A worker thread's own descriptor table (Linux).
 *
 * The -j workers open, read and close the files they analyze.  While the
 * threads of a process share one descriptor table, every one of those
 * system calls takes a reference on the open file and every open and close
 * takes the table's lock, shared by both cores; a thread with a table of
 * its own (unshare(CLONE_FILES): a copy of the table at the call) takes
 * the kernel's single-owner fast paths instead.  A worker uses only the
 * descriptors it opens itself, so nothing else changes.  Where unshare()
 * is missing or fails the thread goes on sharing the table, as before. */
#define _GNU_SOURCE
#include "cli.h"

#ifdef __linux__
#include <sched.h>
#endif

/* ThreadSanitizer keeps one table of descriptors per process: with tables
 * of their own, two threads' files of the same number look like one
 * descriptor used without synchronization.  Its builds share the table. */
#if defined(__SANITIZE_THREAD__)
#define SS_SHARED_FDS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SS_SHARED_FDS 1
#endif
#endif

void cli_thread_own_fds(void) {
#if defined(__linux__) && defined(CLONE_FILES) && !defined(SS_SHARED_FDS)
    (void)unshare(CLONE_FILES);
#endif
}
