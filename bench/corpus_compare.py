#!/usr/bin/env python3
"""corpus_compare.py - compare `smtpstatus bounce --format jsonl --all`
output over the sisimai sample corpus with the corpus' expected.tsv.

What it does: groups our records by the .eml they came from (the `source`
field, a trailing ":N" mbox message number removed), drops records whose
reason is `not_a_bounce` (that is "no result"), and compares them in output
order with the expected rows of the same file in recipient_index order
(row i with record i; a missing record disagrees).  It prints, per kind,
per module and in total: files, share of files with the expected number of
results, rows, and the share of rows whose status, reply code, reason and
hard_bounce agree, and all four.  It can list the disagreeing rows and
exit 1 when thresholds are not met.

What it does not: run the analyzer (bench/corpus.sh does), or judge who is
right - expected.tsv holds another implementation's answers.

Reason names: the newer aliases are accepted, `emailtoolarge` for
mesgtoobig/exceedlimit and `ratelimited` for speeding/toomanyconn.

Standard library only.
"""

import argparse
import collections
import json
import os
import re
import sys

FIELDS = ("status", "reply_code", "reason", "hard_bounce")
LIST_CHOICES = FIELDS + ("count", "all")
KINDS = ("lhost", "rhost", "rfc3464", "rfc3834", "arf", "none")

# Our name -> expected names it stands for.
REASON_ALIASES = {
    "emailtoolarge": {"emailtoolarge", "mesgtoobig", "exceedlimit"},
    "ratelimited": {"ratelimited", "speeding", "toomanyconn"},
}


def reason_agrees(exp, ours):
    if exp == ours:
        return True
    return exp in REASON_ALIASES.get(ours, ())


def norm_str(v):
    """A JSON value as the string the TSV would hold ("" for null)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def load_expected(path):
    """{eml: {"kind", "module", "rows": [row dicts by index]}} in file order."""
    files = collections.OrderedDict()
    with open(path, encoding="utf-8", newline="") as fh:
        header = fh.readline().rstrip("\r\n").split("\t")
        need = ("recipient_index", "status", "replycode", "reason",
                "hardbounce", "module", "kind", "eml")
        for col in need:
            if col not in header:
                raise SystemExit("corpus_compare: %s: no column %r" % (path, col))
        for lineno, line in enumerate(fh, 2):
            line = line.rstrip("\r\n")
            if not line:
                continue
            cells = line.split("\t")
            cells += [""] * (len(header) - len(cells))
            row = dict(zip(header, cells))
            try:
                row["recipient_index"] = int(row["recipient_index"])
            except ValueError:
                raise SystemExit("corpus_compare: %s:%d: bad recipient_index"
                                 % (path, lineno))
            ent = files.setdefault(row["eml"], {
                "kind": row["kind"] or "none",
                "module": row["module"] or "(none)",
                "rows": [],
            })
            if row["recipient_index"] > 0:
                ent["rows"].append(row)
    for ent in files.values():
        ent["rows"].sort(key=lambda r: r["recipient_index"])
    return files


_msgnum = re.compile(r":[0-9]+$")


def source_key(source):
    """The .eml name a record's source names."""
    return os.path.basename(_msgnum.sub("", source))


def load_ours(path):
    """({eml: [records in output order]}, {eml seen at all}, bad lines)."""
    recs = collections.defaultdict(list)
    seen = set()
    bad = 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                bad += 1
                continue
            if not isinstance(rec, dict):
                bad += 1
                continue
            key = source_key(norm_str(rec.get("source")))
            seen.add(key)
            if rec.get("reason") == "not_a_bounce":
                continue
            recs[key].append(rec)
    return recs, seen, bad


class Tally:
    def __init__(self):
        self.files = 0
        self.count_ok = 0
        self.rows = 0
        self.agree = collections.Counter()

    def add(self, other):
        self.files += other.files
        self.count_ok += other.count_ok
        self.rows += other.rows
        self.agree.update(other.agree)


def pct(n, d):
    return 100.0 * n / d if d else None


def fmt_pct(n, d):
    p = pct(n, d)
    return "     -" if p is None else "%5.1f%%" % p


def compare_file(ent, ours):
    """Tally for one file and its mismatches [(index, field, exp, ours)]."""
    t = Tally()
    mism = []
    t.files = 1
    rows = ent["rows"]
    if len(ours) == len(rows):
        t.count_ok = 1
    else:
        mism.append((0, "count", str(len(rows)), str(len(ours))))
    for i, row in enumerate(rows):
        t.rows += 1
        rec = ours[i] if i < len(ours) else None
        got = {}
        if rec is not None:
            got["status"] = norm_str(rec.get("status"))
            got["reply_code"] = norm_str(rec.get("reply_code"))
            got["reason"] = norm_str(rec.get("reason"))
            hb = rec.get("hard_bounce")
            if isinstance(hb, str):
                hb = hb.strip().lower() in ("1", "true", "yes")
            got["hard_bounce"] = norm_str(bool(hb)) if hb is not None else ""
        exp = {
            "status": row["status"],
            "reply_code": row["replycode"],
            "reason": row["reason"],
            "hard_bounce": row["hardbounce"],
        }
        if rec is None:
            mism.append((row["recipient_index"], "missing",
                         "%s %s %s hard=%s" % (exp["status"] or "-",
                                               exp["reply_code"] or "-",
                                               exp["reason"] or "-",
                                               exp["hard_bounce"] or "-"),
                         "(no record)"))
            continue
        ok_all = True
        for f in FIELDS:
            if f == "reason":
                ok = reason_agrees(exp[f], got[f])
            else:
                ok = exp[f] == got[f]
            if ok:
                t.agree[f] += 1
            else:
                ok_all = False
                mism.append((row["recipient_index"], f, exp[f], got[f]))
        if ok_all:
            t.agree["all"] += 1
    return t, mism


def print_table(title, groups, out):
    out.write("\n%s\n" % title)
    out.write("%-22s %5s %7s %5s %7s %7s %7s %7s %7s\n" % (
        "", "files", "count", "rows", "status", "reply", "reason", "hard",
        "all4"))
    for name, t in groups:
        out.write("%-22s %5d %7s %5d %7s %7s %7s %7s %7s\n" % (
            name[:22], t.files, fmt_pct(t.count_ok, t.files), t.rows,
            fmt_pct(t.agree["status"], t.rows),
            fmt_pct(t.agree["reply_code"], t.rows),
            fmt_pct(t.agree["reason"], t.rows),
            fmt_pct(t.agree["hard_bounce"], t.rows),
            fmt_pct(t.agree["all"], t.rows)))


def main(argv):
    ap = argparse.ArgumentParser(
        description="Compare smtpstatus jsonl output with expected.tsv.")
    ap.add_argument("--expected", required=True, help="expected.tsv")
    ap.add_argument("--ours", required=True, help="our jsonl output")
    ap.add_argument("--kinds", default="",
                    help="comma list of kinds to keep: " + ",".join(KINDS))
    ap.add_argument("--list-mismatches", nargs="?", const="all",
                    metavar="FIELD", choices=LIST_CHOICES,
                    help="print each disagreeing row (FIELD: %s)"
                    % ", ".join(LIST_CHOICES))
    ap.add_argument("--min-reason", type=float, metavar="P")
    ap.add_argument("--min-status", type=float, metavar="P")
    ap.add_argument("--min-count", type=float, metavar="P")
    ap.add_argument("--quiet", action="store_true",
                    help="print only the total line and threshold results")
    args = ap.parse_args(argv)

    kinds = [k for k in args.kinds.split(",") if k]
    for k in kinds:
        if k not in KINDS:
            ap.error("unknown kind %r (kinds: %s)" % (k, ",".join(KINDS)))

    expected = load_expected(args.expected)
    ours, seen, bad = load_ours(args.ours)

    by_kind = collections.OrderedDict()
    by_module = collections.OrderedDict()
    total = Tally()
    mismatches = []
    unseen = []
    for eml, ent in expected.items():
        if kinds and ent["kind"] not in kinds:
            continue
        t, mism = compare_file(ent, ours.get(eml, []))
        by_kind.setdefault(ent["kind"], Tally()).add(t)
        by_module.setdefault(ent["module"], Tally()).add(t)
        total.add(t)
        if eml not in seen:
            unseen.append(eml)
        for m in mism:
            mismatches.append((eml,) + m)
    unknown = sorted(k for k in ours if k not in expected)

    out = sys.stdout
    if not args.quiet:
        print_table("by kind", sorted(by_kind.items()), out)
        print_table("by module", sorted(by_module.items(),
                                        key=lambda kv: (-kv[1].files, kv[0])),
                    out)
    print_table("total" + (" (kinds: %s)" % ",".join(kinds) if kinds else ""),
                [("total", total)], out)
    out.write("\ncount = files with the expected number of results; "
              "status/reply/reason/hard/all4 = expected rows that agree\n")
    if unseen:
        out.write("files with no record at all (not even not_a_bounce): %d"
                  " (e.g. %s)\n" % (len(unseen), ", ".join(unseen[:3])))
    if unknown:
        out.write("records from sources not in expected.tsv: %d (e.g. %s)\n"
                  % (len(unknown), ", ".join(unknown[:3])))
    if bad:
        out.write("output lines that are not JSON objects: %d\n" % bad)

    if args.list_mismatches:
        want = args.list_mismatches
        out.write("\nmismatches (%s): file, index, field: expected | ours\n"
                  % want)
        n = 0
        for eml, idx, field, exp, got in mismatches:
            if want != "all" and field != want and not (
                    field == "missing" and want != "count"):
                continue
            n += 1
            if field == "count":
                out.write("%s\t-\tcount: expected %s results | ours %s\n"
                          % (eml, exp, got))
            elif field == "missing":
                out.write("%s\t%d\tno record: expected %s\n" % (eml, idx, exp))
            else:
                out.write("%s\t%d\t%s: %r | %r\n" % (eml, idx, field, exp, got))
        out.write("%d mismatches listed\n" % n)

    failed = []
    checks = (("reason", args.min_reason, total.agree["reason"], total.rows),
              ("status", args.min_status, total.agree["status"], total.rows),
              ("count", args.min_count, total.count_ok, total.files))
    for name, want, n, d in checks:
        if want is None:
            continue
        got = pct(n, d) or 0.0
        if got + 1e-9 < want:
            failed.append("%s %.1f%% < %.1f%%" % (name, got, want))
        else:
            out.write("threshold %s %.1f%% >= %.1f%%: ok\n" % (name, got, want))
    if failed:
        out.write("FAILED thresholds: %s\n" % "; ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
