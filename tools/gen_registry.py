#!/usr/bin/env python3
"""gen_registry.py - generate lib/registry_data.c from the code registry.

Reads data/reply-codes.tsv and data/status-codes.tsv, checks every row
(column count, enumerations, code syntax, duplicates, non-empty texts),
sorts the entries and writes static const C tables that lib/registry.c
searches.  It does not decide anything about the meaning of codes: that
lives in the data files.

Usage:
    python3 tools/gen_registry.py [--data DIR] [-o FILE]

Without -o the output goes to lib/registry_data.c beside this script's
project; "-o -" writes to standard output.  Standard library only.
"""

import argparse
import os
import re
import sys

RETRY = {
    "no": "SMTPSTATUS_RETRY_NO",
    "yes": "SMTPSTATUS_RETRY_YES",
    "after_fix": "SMTPSTATUS_RETRY_AFTER_FIX",
    "na": "SMTPSTATUS_RETRY_NA",
}
ACTOR = {
    "none": "SMTPSTATUS_ACTOR_NONE",
    "sender": "SMTPSTATUS_ACTOR_SENDER",
    "recipient": "SMTPSTATUS_ACTOR_RECIPIENT",
    "admin": "SMTPSTATUS_ACTOR_ADMIN",
    "nobody": "SMTPSTATUS_ACTOR_NOBODY",
}
CLASSES = {"permanent", "transient", "both", "success", "success+permanent",
           "any", "not stated"}

REPLY_COLS = ["code", "standard", "retry", "actor", "rfcs", "context",
              "text", "meaning", "advice"]
STATUS_COLS = ["code", "standard", "name", "reply_codes", "classes",
               "retry_permanent", "retry_transient", "actor", "rfcs",
               "meaning", "advice"]

RE_CLASS = re.compile(r"^([245])\.XXX\.YYY$")
RE_SUBJECT = re.compile(r"^X\.([0-9]|[1-9][0-9]{1,2})\.YYY$")
RE_ENUM = re.compile(
    r"^X\.([0-9]|[1-9][0-9]{1,2})\.([0-9]|[1-9][0-9]{1,2})"
    r"(?:-([1-9][0-9]{0,2}))?$")


class DataError(Exception):
    pass


def read_tsv(path, want_cols):
    """Rows of a TSV file as dicts; '#' lines and blank lines skipped."""
    rows = []
    header = None
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if line.endswith("\r"):
                raise DataError("%s:%d: CR in line" % (path, lineno))
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if header is None:
                header = fields
                if header != want_cols:
                    raise DataError("%s:%d: header must be %s" %
                                    (path, lineno, "\t".join(want_cols)))
                continue
            if len(fields) != len(header):
                raise DataError("%s:%d: %d fields, want %d" %
                                (path, lineno, len(fields), len(header)))
            row = {}
            for name, value in zip(header, fields):
                if value != value.strip():
                    raise DataError("%s:%d: %s has surrounding space" %
                                    (path, lineno, name))
                row[name] = value
            row["_where"] = "%s:%d" % (path, lineno)
            rows.append(row)
    if header is None:
        raise DataError("%s: no header row" % path)
    return rows


def need(row, *names):
    for n in names:
        if not row[n]:
            raise DataError("%s: empty %s" % (row["_where"], n))


def enum(row, name, table):
    if row[name] not in table:
        raise DataError("%s: bad %s %r (want one of %s)" %
                        (row["_where"], name, row[name],
                         ", ".join(sorted(table))))
    return table[row[name]]


def std_flag(row):
    if row["standard"] not in ("0", "1"):
        raise DataError("%s: standard must be 0 or 1" % row["_where"])
    return int(row["standard"])


def c_string(s):
    """A C string literal for s (UTF-8), safe for any compiler."""
    out = ['"']
    data = s.encode("utf-8")
    for i, b in enumerate(data):
        c = chr(b)
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "?" and i + 1 < len(data) and data[i + 1] == ord("?"):
            out.append("\\?")  # no trigraphs
        elif 32 <= b < 127:
            out.append(c)
        else:
            out.append("\\%03o" % b)  # octal: at most 3 digits, no overrun
    out.append('"')
    return "".join(out)


def load_replies(path):
    rows = read_tsv(path, REPLY_COLS)
    seen = {}
    entries = []
    for r in rows:
        if not re.match(r"^[1-5][0-9][0-9]$", r["code"]):
            raise DataError("%s: bad reply code %r" % (r["_where"], r["code"]))
        code = int(r["code"])
        if code in seen:
            raise DataError("%s: code %d already at %s" %
                            (r["_where"], code, seen[code]))
        seen[code] = r["_where"]
        need(r, "text", "meaning", "advice", "context")
        entries.append({
            "code": code,
            "text": r["text"],
            "meaning": r["meaning"],
            "advice": r["advice"],
            "rfcs": r["rfcs"],
            "context": r["context"],
            "standard": std_flag(r),
            "retry": enum(r, "retry", RETRY),
            "actor": enum(r, "actor", ACTOR),
        })
    entries.sort(key=lambda e: e["code"])
    return entries


def load_statuses(path):
    rows = read_tsv(path, STATUS_COLS)
    entries = []
    keys = {}
    for r in rows:
        code = r["code"]
        m_class = RE_CLASS.match(code)
        m_subj = RE_SUBJECT.match(code)
        m_enum = RE_ENUM.match(code)
        if m_class:
            klass, subject, detail, dmax = int(m_class.group(1)), -1, -1, -1
        elif m_subj:
            klass, subject, detail, dmax = 0, int(m_subj.group(1)), -1, -1
        elif m_enum:
            klass = 0
            subject = int(m_enum.group(1))
            detail = int(m_enum.group(2))
            dmax = int(m_enum.group(3)) if m_enum.group(3) else detail
            if dmax < detail or (m_enum.group(3) and dmax == detail):
                raise DataError("%s: bad range %s" % (r["_where"], code))
        else:
            raise DataError("%s: bad status code %r" % (r["_where"], code))
        key = (klass, subject, detail)
        if key in keys:
            raise DataError("%s: %s already at %s" %
                            (r["_where"], code, keys[key]))
        keys[key] = r["_where"]
        need(r, "name", "meaning", "advice")
        if r["classes"] not in CLASSES:
            raise DataError("%s: bad classes %r" % (r["_where"], r["classes"]))
        entries.append({
            "klass": klass, "subject": subject, "detail": detail,
            "dmax": dmax, "code": code, "name": r["name"],
            "meaning": r["meaning"], "advice": r["advice"],
            "reply_codes": r["reply_codes"], "classes": r["classes"],
            "rfcs": r["rfcs"], "standard": std_flag(r),
            "retry_permanent": enum(r, "retry_permanent", RETRY),
            "retry_transient": enum(r, "retry_transient", RETRY),
            "actor": enum(r, "actor", ACTOR),
        })
    # Classes first (by class), then subjects and codes by (subject, detail);
    # a subject entry (detail -1) comes before its codes.
    entries.sort(key=lambda e: (0 if e["klass"] else 1, e["klass"],
                                e["subject"], e["detail"]))
    for k in (2, 4, 5):
        if (k, -1, -1) not in keys:
            raise DataError("%s: class %d.XXX.YYY missing" % (path, k))
    # Ranges may nest but not overlap partly, so that "the narrowest range
    # that holds the detail" is always one entry.
    ranges = [e for e in entries if e["dmax"] > e["detail"]]
    for a in ranges:
        for b in ranges:
            if a is b or a["subject"] != b["subject"]:
                continue
            overlap = a["detail"] <= b["dmax"] and b["detail"] <= a["dmax"]
            nested = ((a["detail"] <= b["detail"] and b["dmax"] <= a["dmax"])
                      or (b["detail"] <= a["detail"]
                          and a["dmax"] <= b["dmax"]))
            if overlap and not nested:
                raise DataError("%s: ranges %s and %s overlap" %
                                (path, a["code"], b["code"]))
    return entries


def render(replies, statuses):
    o = []
    w = o.append
    w("/*")
    w(" * registry_data.c - generated by tools/gen_registry.py, do not edit.")
    w(" *")
    w(" * The SMTP reply code and enhanced status code tables, built from")
    w(" * data/reply-codes.tsv and data/status-codes.tsv.  Edit the data files")
    w(" * and run `python3 tools/gen_registry.py`; the test")
    w(" * tests/t_registry_current.sh fails when this file is stale.")
    w(" * The lookups that search these tables are in registry.c.")
    w(" */")
    w('#include "registry.h"')
    w("")
    w("/* %d reply codes, sorted by code. */" % len(replies))
    w("const smtpstatus_reply_info ss_registry_replies[] = {")
    for e in replies:
        w("    {%d," % e["code"])
        for f in ("text", "meaning", "advice", "rfcs", "context"):
            w("     %s," % c_string(e[f]))
        w("     %d, %s, %s}," % (e["standard"], e["retry"], e["actor"]))
    w("};")
    w("const size_t ss_registry_reply_count =")
    w("    sizeof ss_registry_replies / sizeof ss_registry_replies[0];")
    w("")
    w("/* %d status entries: the classes, then each subject followed by its"
      % len(statuses))
    w(" * codes in (subject, detail) order. */")
    w("const smtpstatus_status_info ss_registry_statuses[] = {")
    for e in statuses:
        w("    {%d, %d, %d," % (e["klass"], e["subject"], e["detail"]))
        for f in ("code", "name", "meaning", "advice", "reply_codes",
                  "classes", "rfcs"):
            w("     %s," % c_string(e[f]))
        w("     %d, %s, %s, %s}," % (e["standard"], e["retry_permanent"],
                                      e["retry_transient"], e["actor"]))
    w("};")
    w("const size_t ss_registry_status_count =")
    w("    sizeof ss_registry_statuses / sizeof ss_registry_statuses[0];")
    w("")
    w("/* The last detail each entry covers: its own detail, the top of a")
    w(" * range (X.7.606-649), or -1 for class and subject entries. */")
    w("const short ss_registry_status_detail_max[] = {")
    line = "   "
    for e in statuses:
        item = " %d," % e["dmax"]
        if len(line) + len(item) > 76:
            w(line)
            line = "   "
        line += item
    w(line)
    w("};")
    w("")
    rng = [i for i, e in enumerate(statuses) if e["dmax"] > e["detail"]]
    w("/* Indexes of the range entries in ss_registry_statuses. */")
    w("const unsigned short ss_registry_status_ranges[] = {")
    w("    " + " ".join("%d," % i for i in rng) if rng else "    0,")
    w("};")
    w("const size_t ss_registry_status_range_count = %d;" % len(rng))
    w("")
    w("/* Counts, for tests that compare with the data files. */")
    w("const size_t ss_registry_reply_standard_count = %d;"
      % sum(1 for e in replies if e["standard"]))
    w("const size_t ss_registry_status_standard_count = %d;"
      % sum(1 for e in statuses if e["standard"]))
    return "\n".join(o) + "\n"


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.path.join(root, "data"),
                    help="directory holding the .tsv files")
    ap.add_argument("-o", "--output",
                    default=os.path.join(root, "lib", "registry_data.c"),
                    help='output file ("-" for standard output)')
    args = ap.parse_args(argv)
    try:
        replies = load_replies(os.path.join(args.data, "reply-codes.tsv"))
        statuses = load_statuses(os.path.join(args.data, "status-codes.tsv"))
    except (DataError, OSError, UnicodeDecodeError) as exc:
        sys.stderr.write("gen_registry: %s\n" % exc)
        return 1
    text = render(replies, statuses)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        tmp = args.output + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
