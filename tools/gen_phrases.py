#!/usr/bin/env python3
"""gen_phrases.py - build lib/phrases_data.c from data/phrases.tsv.

Reads the phrase list (reason, phrase, note), checks that every reason is a
known name and every phrase is already in normalized form, splits phrases
at "{*}" into pieces, and writes the Aho-Corasick automaton over all the
distinct pieces as static C tables plus the phrase -> reason table.

It does not classify anything; lib/classify.c walks the tables.

Usage: gen_phrases.py data/phrases.tsv lib/phrases_data.c
"""
import sys

REASONS = [
    "undefined", "authfailure", "badreputation", "blocked", "contenterror",
    "delivered", "exceedlimit", "expired", "failedstarttls", "feedback",
    "filtered", "hasmoved", "hostunknown", "mailboxfull", "mailererror",
    "mesgtoobig", "networkerror", "norelaying", "notaccept",
    "notcompliantrfc", "onhold", "policyviolation", "rejected", "requireptr",
    "securityerror", "spamdetected", "speeding", "suppressed", "suspend",
    "syntaxerror", "systemerror", "systemfull", "toomanyconn", "userunknown",
    "vacation", "virusdetected",
]
NEUTRAL = 255
WILD = "{*}"

# Latin-1 letters U+00C0..U+00FF without their accents (same table as
# lib/classify.c); None keeps the character.
LATIN1 = ("aaaaaaaceeeeiiii" "dnooooo" "\0" "ouuuuy" "\0" "\0"
          "aaaaaaaceeeeiiii" "dnooooo" "\0" "ouuuuy" "\0" "y")


# States up to this depth get a dense row of transitions (one entry per
# byte class); deeper states keep sorted edge lists and fail links.  Four
# levels (about 900 rows, 220 KB) keep most bytes of real texts in the
# dense rows: leaving them for a deep state's chain or edge list and
# failing back costs mispredicted branches at nearly every word, which
# cost more than the cache misses of the bigger table (two levels gave 228
# rows, 57 KB).
DENSE_DEPTH = 4


def normalize(text):
    """Mirror of ss_normalize() in lib/classify.c (without the masking of
    addresses and IPs, which phrases write as {addr} and {ip})."""
    out = []
    last_space = False
    for ch in text:
        o = ord(ch)
        if ch in " \t\r\n\f\v" or ch == "\u00a0" or (o < 32):
            if not last_space:
                out.append(" ")
            last_space = True
            continue
        last_space = False
        if "A" <= ch <= "Z":
            out.append(ch.lower())
        elif ch == "`" or ch in "\u2018\u2019\u201b":
            out.append("'")
        elif ch in "\u201c\u201d":
            out.append('"')
        elif ch == "\u00df":
            out.append("ss")
        elif 0xC0 <= o <= 0xFF and LATIN1[o - 0xC0] != "\0":
            out.append(LATIN1[o - 0xC0])
        else:
            out.append(ch)
    return "".join(out)


def c_string(b):
    s = []
    for x in b:
        c = chr(x)
        if c == '"' or c == "\\":
            s.append("\\" + c)
        elif 32 <= x < 127 and c != "?":
            s.append(c)
        else:
            s.append("\\%03o" % x)
    return '"' + "".join(s) + '"'


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: gen_phrases.py PHRASES.tsv OUT.c\n")
        return 2
    src, dst = sys.argv[1], sys.argv[2]
    phrases = []      # (reason index, [pattern ids], text)
    patterns = []     # bytes
    patindex = {}
    seen = {}
    errors = 0
    with open(src, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 2 or cols[1] == "":
                sys.stderr.write("%s:%d: need reason<TAB>phrase\n" % (src, lineno))
                errors += 1
                continue
            reason, phrase = cols[0], cols[1]
            if reason == "neutral":
                ridx = NEUTRAL
            elif reason in REASONS:
                ridx = REASONS.index(reason)
            else:
                sys.stderr.write("%s:%d: unknown reason %r\n" % (src, lineno, reason))
                errors += 1
                continue
            if normalize(phrase) != phrase:
                sys.stderr.write("%s:%d: phrase not normalized: %r (want %r)\n"
                                 % (src, lineno, phrase, normalize(phrase)))
                errors += 1
                continue
            if phrase in seen:
                sys.stderr.write("%s:%d: duplicate phrase %r (line %d)\n"
                                 % (src, lineno, phrase, seen[phrase]))
                errors += 1
                continue
            seen[phrase] = lineno
            pieces = phrase.split(WILD)
            if any(p == "" for p in pieces) or len(pieces) > 4:
                sys.stderr.write("%s:%d: bad use of {*}\n" % (src, lineno))
                errors += 1
                continue
            ids = []
            for p in pieces:
                b = p.encode("utf-8")
                if b not in patindex:
                    patindex[b] = len(patterns)
                    patterns.append(b)
                ids.append(patindex[b])
            phrases.append((ridx, ids, phrase))
    if errors:
        return 1
    if len(patterns) > 8192 or len(phrases) > 65535:
        sys.stderr.write("too many phrases\n")
        return 1

    # Build the trie.
    edges = [dict()]        # state -> {byte: state}
    out = [-1]              # pattern ending exactly here
    depth = [0]
    for pid, b in enumerate(patterns):
        s = 0
        for x in b:
            if x not in edges[s]:
                edges.append(dict())
                out.append(-1)
                depth.append(depth[s] + 1)
                edges[s][x] = len(edges) - 1
            s = edges[s][x]
        out[s] = pid
    n = len(edges)
    fail = [0] * n
    dictl = [0] * n         # next state on the fail chain that has an output
    order = []
    queue = list(edges[0].values())
    for s in queue:
        fail[s] = 0
    head = 0
    while head < len(queue):
        s = queue[head]
        head += 1
        order.append(s)
        for x, t in sorted(edges[s].items()):
            f = fail[s]
            while f and x not in edges[f]:
                f = fail[f]
            ft = edges[f].get(x, 0)
            fail[t] = ft if ft != t else 0
            queue.append(t)
    for s in order:
        f = fail[s]
        dictl[s] = f if out[f] >= 0 else dictl[f]

    # Number the states breadth-first (root 0, then by depth), so that the
    # shallow states, where the matcher spends most of its time, come first
    # and get dense transition rows (the deep states are numbered again
    # below).
    newid = [0] * n
    for i, st in enumerate(order):
        newid[st] = i + 1
    edges = [edges[o] for o in [0] + order]
    edges = [{x: newid[t] for x, t in e.items()} for e in edges]
    out = [out[o] for o in [0] + order]
    depth = [depth[o] for o in [0] + order]
    fail = [newid[fail[o]] for o in [0] + order]
    dictl = [newid[dictl[o]] for o in [0] + order]

    # Chains of single edges: a deep state (deeper than DENSE_DEPTH) with
    # one edge, then the target of that edge while the same holds, ...
    # The deep states are numbered again so that the states of a chain are
    # consecutive: the edge of every deep state with one edge goes to the
    # next state, and the matcher needs no edge list for it.
    ndense = sum(1 for d in depth if d <= DENSE_DEPTH)

    def single(s):
        # the target of the one edge of s
        if depth[s] <= DENSE_DEPTH or len(edges[s]) != 1:
            return None
        (t,) = edges[s].values()
        return t
    inner = set(single(s) for s in range(n)) - {None}
    perm = list(range(ndense))
    for s in range(ndense, n):
        if s in inner:
            continue  # placed after the state before it in its chain
        t = s
        while t is not None:
            perm.append(t)
            t = single(t)
    assert sorted(perm) == list(range(n))
    newid = [0] * n
    for i, st in enumerate(perm):
        newid[st] = i
    edges = [{x: newid[t] for x, t in edges[o].items()} for o in perm]
    out = [out[o] for o in perm]
    depth = [depth[o] for o in perm]
    fail = [newid[fail[o]] for o in perm]
    dictl = [newid[dictl[o]] for o in perm]

    # Byte classes: each byte that occurs in a piece has its own class;
    # every other byte is class 0 (it leads back to the root from anywhere)
    # but NUL, which has the last class: it ends the normalized text (which
    # holds no other NUL, and no piece holds one) and leads from every
    # dense state to AC_END, which the matcher takes for an output.
    used = sorted(set(x for b in patterns for x in b))
    assert 0 not in used  # normalize() turns NUL into a space
    cls = [0] * 256
    for i, x in enumerate(used):
        cls[x] = i + 1
    nclass = len(used) + 2
    cls[0] = nclass - 1
    # Dense rows: the full transition (fail links already followed) of every
    # state up to DENSE_DEPTH, one entry per byte class.  They are stored by
    # column (all states' entries for class 0, then for class 1, ...): the
    # matcher finds the column from the text alone, so only a load with the
    # state as its index lies on its chain from byte to byte.
    assert all(depth[i] <= DENSE_DEPTH for i in range(ndense))
    go = []  # go[s] = {byte: state} complete, for dense states
    dense = []
    for st in range(ndense):
        row = [0] * nclass  # the NUL column is set below
        for x in used:
            if x in edges[st]:
                t = edges[st][x]
            elif st == 0:
                t = 0
            else:
                t = go[fail[st]][x]  # fail[st] is shallower: already done
            row[cls[x]] = t
        go.append({x: row[cls[x]] for x in used})
        dense.extend(row)

    # Whole-phrase lookup by pattern, and the multi-piece phrases.
    pat_phrase = [65535] * len(patterns)
    multi = []
    for i, (r, ids, _) in enumerate(phrases):
        if len(ids) == 1:
            pat_phrase[ids[0]] = i
        else:
            multi.append(i)

    if n >= 65535 or len(patterns) >= 65535 or len(phrases) >= 65535:
        sys.stderr.write("automaton too large for 16-bit tables (%d states); "
                         "widen ss_ac_index in lib/classify.h\n" % n)
        return 1
    if n >= 32767:
        sys.stderr.write("automaton too large for 15-bit state numbers (%d "
                         "states, 32767 is AC_END); widen ss_ac_index in "
                         "lib/classify.h\n" % n)
        return 1
    NONE16 = 65535
    # Transitions (dense rows and edges) into a state with an output (its
    # own pattern or one on its dict chain) carry SS_AC_OUT, so that the
    # matcher tests one bit per byte.
    AC_OUT = 0x8000
    flag = [AC_OUT if (out[t] >= 0 or dictl[t] != 0) else 0 for t in range(n)]
    dense = [t | flag[t] for t in dense]
    AC_END = 0xFFFF  # SS_AC_END in lib/classify.h
    for st in range(ndense):
        dense[st * nclass + nclass - 1] = AC_END
    dense = [dense[st * nclass + c] for c in range(nclass)
             for st in range(ndense)]
    out = [NONE16 if o < 0 else o for o in out]
    # The deep states: fail link and chain edge (its byte, plus DEEP_OUT
    # when the next state has an output; DEEP_LEAF when the state has no
    # edge, DEEP_EDGES plus the position of its edge list when it has
    # several).  An edge list: the number of edges, then the edges sorted
    # by byte (edge_char, with the targets at the same positions in
    # edge_next).
    DEEP_OUT, DEEP_LEAF, DEEP_EDGES = 0x100, 0x200, 0x8000
    deep = []
    echar, enext = [], []
    for s in range(ndense, n):
        t = single(s)
        if t is not None:
            assert t == s + 1
            (x,) = edges[s].keys()
            deep.append((fail[s], x | (DEEP_OUT if flag[t] else 0)))
        elif not edges[s]:
            deep.append((fail[s], DEEP_LEAF))
        else:
            if len(echar) >= 0x7FFF or len(edges[s]) > 255:
                sys.stderr.write("too many automaton edges for the tables\n")
                return 1
            deep.append((fail[s], DEEP_EDGES | len(echar)))
            echar.append(len(edges[s]))
            enext.append(0)
            for x, t in sorted(edges[s].items()):
                echar.append(x)
                enext.append(t | flag[t])

    def arr(ctype, name, values, per=12):
        lines = ["static const %s %s[%d] = {" % (ctype, name, max(1, len(values)))]
        vals = [str(v) for v in values] or ["0"]
        for i in range(0, len(vals), per):
            lines.append("    " + ", ".join(vals[i:i + per]) + ",")
        lines.append("};")
        return "\n".join(lines)

    o = []
    o.append("/*\n * phrases_data.c - GENERATED by tools/gen_phrases.py from "
             "data/phrases.tsv.\n * Do not edit: change the data file and "
             "run the tool again\n * (tests/t_phrases_current.sh checks that "
             "this file is current).\n *\n * %d phrases, %d distinct pieces, "
             "%d automaton states (%d with dense\n * rows of %d byte "
             "classes)."
             "\n */" % (len(phrases), len(patterns), n, ndense, nclass))
    o.append('#include "classify.h"\n')
    o.append(arr("ss_ac_index", "ac_dense", dense, 16))
    # Each byte's column of the dense rows (by its class).
    o.append("static const ss_ac_index *const ac_column[256] = {")
    for i in range(0, 256, 4):
        o.append("    " + " ".join("ac_dense + %d," % (cls[x] * ndense)
                                   for x in range(i, i + 4)))
    o.append("};")
    # 16 bytes after the last list: the matcher loads 16 bytes of a list
    o.append(arr("unsigned char", "ac_edge_char", echar + [0] * 16, 16))
    o.append(arr("ss_ac_index", "ac_edge_next", enext, 12))
    o.append("static const ss_ac_output ac_outs[%d] = {" % n)
    for i in range(0, n, 6):
        o.append("    " + " ".join("{%d, %d}," % od for od in
                                   zip(out[i:i + 6], dictl[i:i + 6])))
    o.append("};")
    o.append("static const ss_ac_deep ac_deep[%d] = {" % max(1, len(deep)))
    for i in range(0, len(deep), 4):
        o.append("    " + " ".join("{%d, %d}," % d for d in deep[i:i + 4]))
    if not deep:
        o.append("    {0, 0},")
    o.append("};")
    o.append("static const char *const pat_text[%d] = {" % len(patterns))
    for b in patterns:
        o.append("    %s," % c_string(b))
    o.append("};")
    flat, first = [], []
    for r, ids, _ in phrases:
        first.append(len(flat))
        flat.extend(ids)
    o.append(arr("unsigned short", "phrase_pieces", flat, 16))
    o.append("static const ss_phrase phrase_table[%d] = {" % len(phrases))
    for i, (r, ids, _) in enumerate(phrases):
        o.append("    {%d, %d, %d}," % (r, len(ids), first[i]))
    o.append("};")
    o.append(arr("unsigned short", "multi_list", multi, 16))
    # For each piece, the multi-piece phrases (positions in multi_list,
    # ascending) that start with it: the matcher looks only at those whose
    # first piece it saw.
    byfirst = [[] for _ in patterns]
    for i, pid in enumerate(multi):
        byfirst[phrases[pid][1][0]].append(i)
    mstart, mlist = [], []
    for lst in byfirst:
        mstart.append(len(mlist))
        mlist.extend(lst)
    if len(mlist) > 65535:
        sys.stderr.write("too many multi-piece phrases for the tables\n")
        return 1
    o.append("static const ss_pattern pats[%d] = {" % len(patterns))
    for i, b in enumerate(patterns):
        o.append("    {%d, %d, %d, %d}," % (len(b), pat_phrase[i], mstart[i],
                                           len(byfirst[i])))
    o.append("};")
    o.append(arr("unsigned short", "multi_first", mlist, 16))
    o.append("""
const ss_phrase_tables ss_phrase_data = {
    ac_column, %d, ac_dense, %d,
    ac_edge_char, ac_edge_next, ac_outs, ac_deep, %d,
    pats, pat_text, %d,
    phrase_table, phrase_pieces, %d,
    multi_list, %d,
    multi_first
};""" % (nclass, ndense, n, len(patterns), len(phrases), len(multi)))
    text = "\n".join(o) + "\n"
    with open(dst, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
