#!/usr/bin/env python3
"""timed_run.py - run a command several times and time each run, for bench/speed.sh.

usage: timed_run.py RUNS OUT ERR CMD [ARG...]

Runs CMD (looked up in PATH) RUNS times, one run after the other, with
stdin inherited, stdout written to OUT and stderr to ERR (both truncated at
each run; after the first failing run the later runs' stderr is discarded,
so that ERR keeps the first failure's messages).  For each run it prints one
line:

    WALL CPU MAXRSS STATUS

WALL is the wall time in seconds: time.perf_counter read just before
os.posix_spawnp and just after the os.wait4 that reaps the child (the files
are opened before).  CPU is the child's user+system time in seconds, from
the rusage that os.wait4 returns.  STATUS is the exit status (128 + the
signal number when a signal ended it; 127 when CMD cannot be started, with
the reason in ERR).

MAXRSS is the child's peak resident set size in KiB from ru_maxrss, or 0
when that cannot tell it: Linux records in ru_maxrss the peak of the memory
the child had before its exec, which after posix_spawn (vfork) is this
Python process's, about 13 MB, so a figure not above this process's own
peak may be this process's (speed.sh then measures the peak RSS in one
more run under /usr/bin/time).

Before the first run it runs `true` once untimed: the first spawn of a
process costs about 0.5 ms more than the next ones.  Exit status: 0, or 2
on a usage error.  Standard library only (Linux).
"""

import os
import resource
import signal
import sys
import time


def run_once(argv, out_path, err_path):
    """Run argv (a list of bytes) once; return (wall seconds, cpu seconds,
    maxrss KiB, status)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    out_fd = os.open(out_path, flags, 0o666)
    err_fd = os.open(err_path, flags, 0o666)
    actions = [(os.POSIX_SPAWN_DUP2, out_fd, 1),
               (os.POSIX_SPAWN_DUP2, err_fd, 2)]
    try:
        t0 = time.perf_counter()
        try:
            pid = os.posix_spawnp(argv[0], argv, os.environb,
                                  file_actions=actions)
        except OSError as e:
            os.write(err_fd, ("timed_run.py: cannot run %s: %s\n"
                              % (os.fsdecode(argv[0]), e.strerror)).encode())
            return 0.0, 0.0, 0, 127
        _, wstatus, ru = os.wait4(pid, 0)
        t1 = time.perf_counter()
    finally:
        os.close(out_fd)
        os.close(err_fd)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm = ru.ru_maxrss if ru.ru_maxrss > own else 0
    if os.WIFSIGNALED(wstatus):
        status = 128 + os.WTERMSIG(wstatus)
    else:
        status = os.WEXITSTATUS(wstatus)
    return t1 - t0, ru.ru_utime + ru.ru_stime, hwm, status


def main(argv):
    if len(argv) < 4 or not argv[0].isdigit() or int(argv[0]) < 1:
        sys.stderr.write("usage: timed_run.py RUNS OUT ERR CMD [ARG...]\n")
        return 2
    runs, out_path, err_path = int(argv[0]), argv[1], argv[2]
    # bytes, so that nothing is converted between the clock reads
    cmd = [os.fsencode(a) for a in argv[3:]]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    run_once([b"true"], os.devnull, os.devnull)
    failed = False
    for _ in range(runs):
        wall, cpu, rss, status = run_once(
            cmd, out_path, os.devnull if failed else err_path)
        failed = failed or status != 0
        sys.stdout.write("%.6f %.6f %d %d\n" % (wall, cpu, rss, status))
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        # end as ^C ends a program, without a traceback
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
