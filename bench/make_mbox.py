#!/usr/bin/env python3
"""make_mbox.py - write messages into one mbox file, for bench/speed.sh.

usage: make_mbox.py OUT.mbox FILE...

Each message gets the separator line "From MAILER-DAEMON Thu Jan  1
00:00:00 1970" (a message that already starts with a "From " envelope line
has that line replaced by it), then its bytes unchanged except that every
line starting with ">*From " gets one more ">" (mboxrd quoting), then an
empty line.  CRLF messages keep their CRLF line ends; only the separator
and the closing empty line are LF.  A file that is itself an mbox of several
messages (one corpus sample is) becomes one message, as a folder reader that
takes one file as one message sees it.  It does not check that the inputs
are mail.  Standard library only.
"""

import re
import sys

SEP = b"From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n"
QUOTE = re.compile(rb"^(>*From )", re.M)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: make_mbox.py OUT.mbox FILE...\n")
        return 2
    n = 0
    with open(argv[0], "wb") as out:
        for path in argv[1:]:
            with open(path, "rb") as fh:
                data = fh.read()
            if data.startswith(b"From "):
                nl = data.find(b"\n")
                data = b"" if nl < 0 else data[nl + 1:]
            data = QUOTE.sub(rb">\1", data)
            if not data.endswith(b"\n"):
                data += b"\n"
            out.write(SEP)
            out.write(data)
            out.write(b"\n")
            n += 1
    sys.stdout.write("%d\n" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
