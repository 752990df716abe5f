/*
 * test_mime.c - unit tests of lib/mime.c and lib/charset.c: header
 * parsing and unfolding, RFC 2047 words, base64/quoted-printable, the
 * multipart tree and its limits, line ends, charset conversion, HTML to
 * text; replays the fuzz crashers kept under tests/regress/fuzz_mime/
 * and tests/regress/fuzz_charset/ (run with cwd tests/).
 */
#include "mime.h"
#include "../../fuzz/utf8_check.h"

#include <dirent.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include "check.h"


static int eq(ss_str s, const char *lit) {
    return s.ptr && s.len == strlen(lit) && memcmp(s.ptr, lit, s.len) == 0;
}
static ss_str S(const char *p) { return ss_str_make(p, strlen(p)); }

static ss_arena A;

static void test_headers(void) {
    const char *blk = "From MAILER-DAEMON Mon Jan  1 00:00:00 2024\n"
                      "Subject: hello\n"
                      " world\n"
                      "X-Bad line without colon\n"
                      "From: <a@b.example>\n"
                      "Empty:\n"
                      "\tcontinued\n"
                      "\n"
                      "body\n";
    ss_header *h;
    size_t n, off;
    unsigned w = 0;
    CHECK(ss_parse_headers(&A, NULL, S(blk), &h, &n, &off, &w) == SMTPSTATUS_OK);
    CHECK(n == 3);
    CHECK(eq(ss_header_raw(h, n, "subject"), "hello\n world"));
    CHECK(eq(ss_header_value(&A, h, n, "SUBJECT"), "hello world"));
    CHECK(eq(ss_header_value(&A, h, n, "from"), "<a@b.example>"));
    CHECK(eq(ss_header_value(&A, h, n, "empty"), "continued"));
    CHECK(ss_header_raw(h, n, "X-Bad").ptr == NULL);
    CHECK(off == strlen(blk) - 5);
    CHECK(w == 0);
    CHECK(eq(ss_unfold(&A, S("a\r\n \tb\n c")), "a b c"));
    ss_str same = S("no folding");
    CHECK(ss_unfold(&A, same).ptr == same.ptr);

    /* no header block: a part that starts with text */
    CHECK(ss_parse_headers(&A, NULL, S("just text\nmore\n"), &h, &n, &off, &w) ==
          SMTPSTATUS_OK);
    CHECK(n == 0 && off == 0);

    /* header limit */
    smtpstatus_limits lim;
    memset(&lim, 0, sizeof lim);
    lim.max_header_size = 30;
    w = 0;
    const char *big = "A: 1\nB: 2222222222222222222222222222\nC: 3\n\nbody";
    CHECK(ss_parse_headers(&A, &lim, S(big), &h, &n, &off, &w) == SMTPSTATUS_OK);
    CHECK(w & SMTPSTATUS_RW_HEADER_LIMIT);
    CHECK(n == 1);
    CHECK(off == strlen(big) - 4);

    /* parameters */
    ss_str ct = S("multipart/report; report-type=delivery-status;\n\tboundary=\"b;1 \\\"x\"");
    CHECK(eq(ss_header_param(ct, "report-type"), "delivery-status"));
    CHECK(eq(ss_header_param(ct, "boundary"), "b;1 \\\"x"));
    CHECK(ss_header_param(ct, "charset").ptr == NULL);
    CHECK(eq(ss_header_param(S("text/plain;charset=UTF-8"), "charset"), "UTF-8"));
    CHECK(eq(ss_header_param(S("text/plain; xcharset=a; charset = b"), "charset"), "b"));
    CHECK(ss_header_param(S("text/plain; name=\"charset=x\""), "charset").ptr == NULL);
}

static void test_2047(void) {
    CHECK(eq(ss_rfc2047_decode(&A, S("=?UTF-8?B?w6k=?=")), "\xC3\xA9"));
    CHECK(eq(ss_rfc2047_decode(&A, S("=?iso-8859-1?Q?caf=E9_au_lait?=")),
             "caf\xC3\xA9 au lait"));
    CHECK(eq(ss_rfc2047_decode(&A, S("=?UTF-8?Q?a?= =?UTF-8?Q?b?=")), "ab"));
    CHECK(eq(ss_rfc2047_decode(&A, S("=?UTF-8?Q?a?=\n\t=?UTF-8?Q?b?=")), "ab"));
    CHECK(eq(ss_rfc2047_decode(&A, S("x =?UTF-8?Q?a?= y")), "x a y"));
    CHECK(eq(ss_rfc2047_decode(&A, S("=?UTF-8?Q?a?= z =?UTF-8?Q?b?=")), "a z b"));
    /* a UTF-8 character split over two words */
    CHECK(eq(ss_rfc2047_decode(&A, S("=?UTF-8?Q?=C3?= =?utf-8?Q?=A9?=")), "\xC3\xA9"));
    /* charset with language */
    CHECK(eq(ss_rfc2047_decode(&A, S("=?UTF-8*en?Q?hi?=")), "hi"));
    /* ISO-2022-JP, B: ESC $ B %F%9%H ESC ( B = "テスト" */
    CHECK(eq(ss_rfc2047_decode(&A, S("=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=")),
             "\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88"));
    /* Shift_JIS, Q and B */
    CHECK(eq(ss_rfc2047_decode(&A, S("=?Shift_JIS?Q?=83e=83X=83g?=")),
             "\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88"));
    CHECK(eq(ss_rfc2047_decode(&A, S("=?x-sjis?B?g2WDWINn?=")),
             "\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88"));
    /* malformed words are kept */
    CHECK(eq(ss_rfc2047_decode(&A, S("=?UTF-8?X?abc?=")), "=?UTF-8?X?abc?="));
    CHECK(eq(ss_rfc2047_decode(&A, S("=?UTF-8?Q?abc")), "=?UTF-8?Q?abc"));
    /* a word that never closes does not hide the next line's word */
    CHECK(eq(ss_rfc2047_decode(&A, S("=?a?q?x\n =?UTF-8?Q?ok?=")), "=?a?q?x\n ok"));
    ss_str plain = S("plain subject");
    CHECK(ss_rfc2047_decode(&A, plain).ptr == plain.ptr);

    ss_header h = {SS_STR("Subject"), SS_STR("=?UTF-8?B?w6k=?=\n =?UTF-8?B?w6k=?= ok")};
    CHECK(eq(ss_header_value(&A, &h, 1, "subject"), "\xC3\xA9\xC3\xA9 ok"));
    ss_header h8 = {SS_STR("Subject"), SS_STR("caf\xE9 ok")};
    CHECK(eq(ss_header_value(&A, &h8, 1, "subject"), "caf\xEF\xBF\xBD ok"));
}

static void test_transfer(void) {
    int bad = 0;
    CHECK(eq(ss_base64_decode(&A, S("aGVs\nbG8=\n"), &bad), "hello"));
    CHECK(bad == 0);
    bad = 0;
    CHECK(eq(ss_base64_decode(&A, S("aGVs*bG8=\n"), &bad), "hello"));
    CHECK(bad == 1);
    bad = 0;
    CHECK(eq(ss_base64_decode(&A, S("aGVsbG8\r\n"), &bad), "hello"));
    CHECK(bad == 0);
    bad = 0;
    CHECK(eq(ss_base64_decode(&A, S("aGk=aGk="), &bad), "hihi"));
    CHECK(bad == 0);
    bad = 0;
    ss_base64_decode(&A, S("aGVsb"), &bad);
    CHECK(bad == 1);
    bad = 0;
    CHECK(eq(ss_base64_decode(&A, S(""), &bad), ""));

    CHECK(eq(ss_qp_decode(&A, S("a=\nb=3D=\r\nc"), 0), "ab=c"));
    CHECK(eq(ss_qp_decode(&A, S("soft =  \nbreak"), 0), "soft break"));
    CHECK(eq(ss_qp_decode(&A, S("=C3=A9=c3=a9"), 0), "\xC3\xA9\xC3\xA9"));
    CHECK(eq(ss_qp_decode(&A, S("bad =ZZ and =4"), 0), "bad =ZZ and =4"));
    CHECK(eq(ss_qp_decode(&A, S("a_b"), 0), "a_b"));
    CHECK(eq(ss_qp_decode(&A, S("a_b"), 1), "a b"));
}

static const char *MSG1 =
    "From: MAILER-DAEMON@example.org\n"
    "Subject: =?UTF-8?Q?Undelivered_Mail?=\n"
    "Content-Type: multipart/mixed; boundary=\"outer\"\n"
    "\n"
    "preamble text\n"
    "--outer\n"
    "Content-Type: multipart/alternative;\n"
    " boundary=inner\n"
    "\n"
    "--inner\n"
    "Content-Type: text/plain; charset=ISO-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "caf=E9=\n"
    " ok\n"
    "--inner\n"
    "Content-Type: text/html\n"
    "\n"
    "<p>a&amp;b</p>\n"
    "--inner--\n"
    "--outer\n"
    "Content-Type: message/delivery-status\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "UmVwb3J0aW5nLU1UQTogZG5zOyBteC5leGFtcGxlLm9yZwo=\n"
    "--outer\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Subject: original\n"
    "Content-Type: multipart/mixed; boundary=\"emb\"\n"
    "\n"
    "--emb\n"
    "\n"
    "embedded\n"
    "--emb--\n"
    "\n"
    "--outer--\n"
    "epilogue\n";

static void check_tree(const ss_message *m, const char *what) {
    fprintf(stderr, "tree (%s): %zu parts\n", what, m->nparts);
    CHECK(m->nparts == 6);
    if (m->nparts != 6)
        return;
    CHECK(eq(m->parts[0]->type, "multipart/mixed"));
    CHECK(eq(m->parts[1]->type, "multipart/alternative"));
    CHECK(eq(m->parts[2]->type, "text/plain"));
    CHECK(eq(m->parts[3]->type, "text/html"));
    CHECK(eq(m->parts[4]->type, "message/delivery-status"));
    CHECK(eq(m->parts[5]->type, "message/rfc822"));
    CHECK(m->parts[2]->depth == 2 && m->parts[1]->depth == 1);
    CHECK(m->parts[2]->parent == m->parts[1]);
    CHECK(m->root->child == m->parts[1]);
    CHECK(m->parts[1]->next == m->parts[4]);
    CHECK(m->parts[4]->next == m->parts[5]);
    CHECK(m->parts[5]->next == NULL && m->parts[5]->child == NULL);
    CHECK(eq(ss_part_charset(m->arena, m->parts[2]), "iso-8859-1"));
    CHECK(eq(m->parts[2]->cte, "quoted-printable"));
    CHECK(eq(m->parts[3]->raw, "<p>a&amp;b</p>"));
    CHECK(m->warnings == 0);
}

static void test_tree(void) {
    ss_message m;
    CHECK(ss_mime_parse(&A, NULL, MSG1, strlen(MSG1), &m) == SMTPSTATUS_OK);
    CHECK(m.data.ptr == MSG1); /* LF input: no copy */
    check_tree(&m, "LF");
    if (m.nparts == 6) {
        CHECK(eq(ss_part_text(&m, m.parts[2]), "caf\xC3\xA9 ok"));
        CHECK(eq(ss_part_text(&m, m.parts[4]),
                 "Reporting-MTA: dns; mx.example.org\n"));
        CHECK(m.parts[4]->text_done);
        CHECK(eq(ss_html_to_text(&A, ss_part_text(&m, m.parts[3])), "a&b\n"));
        ss_str emb = ss_part_text(&m, m.parts[5]);
        CHECK(ss_find(emb, "--emb--", 7) >= 0);
        /* the analyzer reads the attached message's headers itself */
        ss_header *h;
        size_t n, off;
        unsigned w = 0;
        CHECK(ss_parse_headers(&A, NULL, m.parts[5]->raw, &h, &n, &off, &w) ==
              SMTPSTATUS_OK);
        CHECK(eq(ss_header_value(&A, h, n, "subject"), "original"));
    }
    CHECK(eq(ss_part_header(&A, m.root, "subject"), "Undelivered Mail"));

    /* CRLF and CR give the same tree and text */
    size_t n = strlen(MSG1);
    char *crlf = malloc(n * 2 + 1), *cr = malloc(n + 1);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (MSG1[i] == '\n')
            crlf[w++] = '\r';
        crlf[w++] = MSG1[i];
        cr[i] = MSG1[i] == '\n' ? '\r' : MSG1[i];
    }
    ss_message m2, m3;
    CHECK(ss_mime_parse(&A, NULL, crlf, w, &m2) == SMTPSTATUS_OK);
    check_tree(&m2, "CRLF");
    CHECK(ss_mime_parse(&A, NULL, cr, n, &m3) == SMTPSTATUS_OK);
    check_tree(&m3, "CR");
    CHECK(m2.data.len == n && m3.data.len == n);
    if (m2.nparts == 6 && m3.nparts == 6) {
        CHECK(eq(ss_part_text(&m2, m2.parts[2]), "caf\xC3\xA9 ok"));
        CHECK(eq(ss_part_text(&m3, m3.parts[4]),
                 "Reporting-MTA: dns; mx.example.org\n"));
    }
    free(crlf);
    free(cr);
}

static void test_limits(void) {
    /* five levels of nesting */
    const char *deep = "Content-Type: multipart/mixed; boundary=b1\n\n"
                       "--b1\nContent-Type: multipart/mixed; boundary=b2\n\n"
                       "--b2\nContent-Type: multipart/mixed; boundary=b3\n\n"
                       "--b3\nContent-Type: multipart/mixed; boundary=b4\n\n"
                       "--b4\n\nleaf\n--b4--\n--b3--\n--b2--\n--b1--\n";
    smtpstatus_limits lim;
    memset(&lim, 0, sizeof lim);
    ss_message m;
    CHECK(ss_mime_parse(&A, &lim, deep, strlen(deep), &m) == SMTPSTATUS_OK);
    CHECK(m.nparts == 5);
    CHECK(!(m.warnings & SMTPSTATUS_RW_DEPTH_LIMIT));
    if (m.nparts == 5) {
        CHECK(m.parts[4]->depth == 4);
        CHECK(eq(m.parts[4]->raw, "leaf"));
    }
    lim.max_mime_depth = 2;
    CHECK(ss_mime_parse(&A, &lim, deep, strlen(deep), &m) == SMTPSTATUS_OK);
    CHECK(m.warnings & SMTPSTATUS_RW_DEPTH_LIMIT);
    CHECK(m.nparts == 3);
    lim.max_mime_depth = 0;
    lim.max_parts = 3;
    CHECK(ss_mime_parse(&A, &lim, deep, strlen(deep), &m) == SMTPSTATUS_OK);
    CHECK(m.warnings & SMTPSTATUS_RW_PARTS_LIMIT);
    CHECK(m.nparts == 3);

    /* unclosed boundary: what was read is kept */
    const char *open = "Content-Type: multipart/report; boundary=\"zz\"\n\n"
                       "--zz\nContent-Type: text/plain\n\nfirst\n"
                       "--zz\nContent-Type: message/delivery-status\n\n"
                       "Action: failed\n";
    memset(&lim, 0, sizeof lim);
    CHECK(ss_mime_parse(&A, &lim, open, strlen(open), &m) == SMTPSTATUS_OK);
    CHECK(m.warnings & SMTPSTATUS_RW_BAD_MIME);
    CHECK(m.nparts == 3);
    if (m.nparts == 3) {
        CHECK(eq(m.parts[1]->raw, "first"));
        CHECK(eq(m.parts[2]->raw, "Action: failed\n"));
    }
    /* boundary never found: a leaf */
    const char *none = "Content-Type: multipart/mixed; boundary=\"q\"\n\nno parts\n";
    CHECK(ss_mime_parse(&A, &lim, none, strlen(none), &m) == SMTPSTATUS_OK);
    CHECK(m.nparts == 1 && (m.warnings & SMTPSTATUS_RW_BAD_MIME));
    CHECK(eq(ss_part_text(&m, m.root), "no parts\n"));

    /* text limit */
    const char *longtext = "Content-Type: text/plain\n\n0123456789abcdef";
    lim.max_text_scan = 10;
    CHECK(ss_mime_parse(&A, &lim, longtext, strlen(longtext), &m) == SMTPSTATUS_OK);
    CHECK(eq(ss_part_text(&m, m.root), "0123456789"));
    CHECK(m.warnings & SMTPSTATUS_RW_TEXT_LIMIT);

    /* empty input */
    CHECK(ss_mime_parse(&A, NULL, "", 0, &m) == SMTPSTATUS_OK);
    CHECK(m.nparts == 1 && eq(m.root->type, "text/plain"));
}

static void test_charsets(void) {
    static const struct {
        const char *cs, *in, *out;
    } t[] = {
        {"UTF-8", "\xC3\xA9", "\xC3\xA9"},
        {"us-ascii", "plain", "plain"},
        {"ISO-8859-1", "caf\xE9", "caf\xC3\xA9"},
        {"iso-8859-2", "\xB3", "\xC5\x82"},
        {"ISO-8859-7", "\xD9", "\xCE\xA9"},
        {"iso-8859-15", "\xA4", "\xE2\x82\xAC"},
        {"windows-1252", "\x80", "\xE2\x82\xAC"},
        {"windows-1250", "\xB3", "\xC5\x82"},
        {"cp1251", "\xCF", "\xD0\x9F"},
        {"ISO-2022-JP", "\x1b$B%F%9%H\x1b(B", "\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88"},
        {"Shift_JIS", "\x83" "e\x83X\x83g", "\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88"},
        {"x-sjis", "\x83" "e\x83X\x83g", "\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88"},
        {"cp932", "\x83" "e\x83X\x83g", "\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88"},
        {"EUC-JP", "\xA5\xC6\xA5\xB9\xA5\xC8", "\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88"},
        {"UTF-7", "+AOk-", "\xC3\xA9"},
        {"KOI8-R", "\xF0", "\xD0\x9F"},
        {"gb2312", "\xD6\xD0", "\xE4\xB8\xAD"},
        {"GBK", "\xD6\xD0", "\xE4\xB8\xAD"},
        {"Big5", "\xA4\xA4", "\xE4\xB8\xAD"},
        {"ks_c_5601-1987", "\xC7\xD1", "\xED\x95\x9C"},
        {"euc-kr", "\xC7\xD1", "\xED\x95\x9C"},
        {"\"utf-8\"", "x", "x"},
        {"utf-7-imap", "&AOk-", "\xC3\xA9"},
        {"unicode-1-1-utf-7", "a+AOk-", "a\xC3\xA9"},
        {"utf-16be", "N-", "\xE4\xB8\xAD"}, /* U+4E2D, ASCII-looking bytes */
        {"IBM037", "\x81", "a"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int unk = -1;
        ss_str r = ss_to_utf8(&A, S(t[i].in), S(t[i].cs), &unk);
        if (!eq(r, t[i].out))
            fprintf(stderr, "charset %s: wrong output\n", t[i].cs);
        CHECK(eq(r, t[i].out));
        CHECK(unk == 0);
    }
    /* UTF-8 and ASCII: no copy when valid */
    ss_str in = S("valid \xC3\xA9");
    int unk;
    CHECK(ss_to_utf8(&A, in, S("utf-8"), &unk).ptr == in.ptr);
    CHECK(ss_to_utf8(&A, in, SS_NULLSTR, &unk).ptr == in.ptr);
    /* invalid sequences replaced, never fatal */
    CHECK(eq(ss_to_utf8(&A, S("a\xFF" "b"), S("utf-8"), &unk), "a\xEF\xBF\xBD" "b"));
    CHECK(eq(ss_to_utf8(&A, S("a\xC3"), S("utf-8"), &unk), "a\xEF\xBF\xBD"));
    CHECK(eq(ss_to_utf8(&A, S("\x83" "e\x83"), S("shift_jis"), &unk),
             "\xE3\x83\x86\xEF\xBF\xBD"));
    CHECK(eq(ss_to_utf8(&A, S("\x1b$B%F"), S("iso-2022-jp"), &unk),
             "\xE3\x83\x86"));
    CHECK(unk == 0);
    /* unknown charset: bytes kept, flag set */
    unk = 0;
    CHECK(eq(ss_to_utf8(&A, S("ab\xE9"), S("x-no-such-charset"), &unk), "ab\xE9"));
    CHECK(unk == 1);
    unk = 0;
    CHECK(eq(ss_to_utf8(&A, S("ab\xE9"), S("bad name!"), &unk), "ab\xE9"));
    CHECK(unk == 1);
    unk = 0;
    CHECK(eq(ss_to_utf8(&A, S("ab"), S("unknown-8bit"), &unk), "ab"));
    CHECK(unk == 1);

    /* ASCII text needs no conversion: an unknown name does not matter */
    unk = 0;
    CHECK(eq(ss_to_utf8(&A, S("ab"), S("x-no-such-charset"), &unk), "ab"));
    CHECK(unk == 0);
    const char *msg = "Content-Type: text/plain; charset=x-martian\n\nhi \xE9\n";
    ss_message m;
    CHECK(ss_mime_parse(&A, NULL, msg, strlen(msg), &m) == SMTPSTATUS_OK);
    CHECK(eq(ss_part_text(&m, m.root), "hi \xE9\n"));
    CHECK(m.warnings & SMTPSTATUS_RW_CHARSET);
    const char *msg2 = "Content-Type: text/plain; charset=shift_jis\n"
                       "Content-Transfer-Encoding: base64\n\ng2WDWINnDQo=\n";
    CHECK(ss_mime_parse(&A, NULL, msg2, strlen(msg2), &m) == SMTPSTATUS_OK);
    CHECK(eq(ss_part_text(&m, m.root), "\xE3\x83\x86\xE3\x82\xB9\xE3\x83\x88\n"));
    CHECK(m.warnings == 0);
}

/* The Windows-1252 table against glibc's iconv, byte by byte: each of
 * the 256 bytes alone and between ASCII letters (unassigned bytes are
 * U+FFFD, as the iconv path gives for EILSEQ). */
static void test_cp1252_table(void) {
    iconv_t cd = iconv_open("UTF-8", "WINDOWS-1252");
    if (cd == (iconv_t)-1) {
        fprintf(stderr, "no WINDOWS-1252 in iconv: table not compared\n");
        return;
    }
    int bad = 0;
    for (unsigned c = 0; c < 256; c++) {
        char in[3] = {'a', (char)c, 'b'};
        char want[16];
        char *ip = in, *op = want;
        size_t il = 3, ol = sizeof want;
        while (il) {
            if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1) {
                memcpy(op, "\xEF\xBF\xBD", 3);
                op += 3;
                ol -= 3;
                ip++;
                il--;
            }
        }
        iconv(cd, NULL, NULL, NULL, NULL);
        ss_str got = ss_to_utf8(&A, ss_str_make(in, 3), S("iso-8859-1"), NULL);
        if (got.len != (size_t)(op - want) || memcmp(got.ptr, want, got.len)) {
            fprintf(stderr, "cp1252 byte 0x%02X differs from iconv\n", c);
            bad++;
        }
    }
    iconv_close(cd);
    CHECK(bad == 0);
    /* a long text, all bytes in turn */
    char all[512];
    for (int i = 0; i < 512; i++)
        all[i] = (char)(i & 0xFF);
    ss_str r = ss_to_utf8(&A, ss_str_make(all, 512), S("windows-1252"), NULL);
    CHECK(r.ptr && ssf_utf8_valid(r.ptr, r.len));
}

static void test_html(void) {
    CHECK(eq(ss_html_to_text(&A, S("<html><body>A<br>B<br/>C</body></html>")),
             "A\nB\nC"));
    CHECK(eq(ss_html_to_text(&A, S("&lt;x&gt; &quot;q&quot; a&nbsp;b &#65;&#x42; &bogus;")),
             "<x> \"q\" a b AB &bogus;"));
    CHECK(eq(ss_html_to_text(&A, S("<style>p{}</style><!-- c -->t<script>x</script>")),
             "t"));
    CHECK(eq(ss_html_to_text(&A, S("<p>one</p><p>two</p>")), "one\ntwo\n"));
    CHECK(eq(ss_html_to_text(&A, S("&#233;")), "\xC3\xA9"));
    CHECK(eq(ss_html_to_text(&A, S("<unclosed")), ""));
}

/* Replay every file of a regress folder through parse + text. */
static void replay_dir(const char *dir, int charset) {
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    int count = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        char *buf = malloc(1 << 20);
        size_t n = buf ? fread(buf, 1, 1 << 20, f) : 0;
        fclose(f);
        if (!buf)
            continue;
        ss_arena_reset(&A);
        if (charset) {
            /* the first 16 bytes hold the charset name, NUL padded */
            size_t k = n < 16 ? n : 16, nl = 0;
            while (nl < k && buf[nl])
                nl++;
            int unk;
            ss_str r = ss_to_utf8(&A, ss_str_make(buf + k, n - k),
                                  ss_str_make(buf, nl), &unk);
            CHECK(r.ptr != NULL || n == k);
            CHECK(unk || ssf_utf8_valid(r.ptr, r.len));
        } else {
            ss_message m;
            CHECK(ss_mime_parse(&A, NULL, buf, n, &m) == SMTPSTATUS_OK);
            for (size_t i = 0; i < m.nparts; i++) {
                ss_str t = ss_part_text(&m, m.parts[i]);
                CHECK((m.warnings & SMTPSTATUS_RW_CHARSET) ||
                      ssf_utf8_valid(t.ptr, t.len));
            }
            ss_part_header(&A, m.root, "subject");
        }
        free(buf);
        count++;
    }
    closedir(d);
    fprintf(stderr, "replayed %d files from %s\n", count, dir);
}

/* Lookups with names of every length class (the word compares of
 * mem_eq), line ends at every offset of a 16-byte block (line_end),
 * and the ASCII checks of ss_to_utf8 around 16-byte blocks. */
static void test_lookup_lengths(void) {
    static const char *const names[] = {
        "A", "To", "Cc:", "From", "X-Ab", "Subject", "X-Mailer", "Message-ID",
        "Content-Type", "Final-Recipient", "X-Sixteen-Bytes!", "Original-Recipient",
        "Content-Transfer-Encoding", "X-Thirty-Two-Bytes-Long-Name-Yes",
        "X-A-Name-Longer-Than-Thirty-Two-Bytes"};
    size_t nn = sizeof names / sizeof names[0];
    for (size_t pad = 0; pad < 40; pad++) {
        ss_buf b;
        ss_buf_init(&b);
        for (size_t k = 0; k < nn; k++) {
            if (strchr(names[k], ':'))
                continue;
            char line[256];
            int l = snprintf(line, sizeof line, "%s: v%zu%.*s\n", names[k], k,
                             (int)pad, "........................................");
            ss_buf_append(&b, line, (size_t)l);
        }
        ss_buf_append(&b, "\nbody", 5);
        CHECK(!b.failed);
        ss_message m;
        CHECK(ss_mime_parse(&A, NULL, b.ptr, b.len, &m) == SMTPSTATUS_OK);
        for (size_t k = 0; k < nn; k++) {
            ss_str v = ss_part_header_raw(m.root, names[k]);
            ss_str w = ss_header_raw(m.root->headers, m.root->nheaders, names[k]);
            if (strchr(names[k], ':')) {
                CHECK(v.ptr == NULL && w.ptr == NULL);
                continue;
            }
            char want[64];
            snprintf(want, sizeof want, "v%zu", k);
            CHECK(v.ptr && v.len == strlen(want) + pad &&
                  memcmp(v.ptr, want, strlen(want)) == 0);
            CHECK(w.ptr == v.ptr && w.len == v.len);
            /* the same name in another case, and a name one byte off */
            char up[64], off[64];
            size_t nl = strlen(names[k]);
            for (size_t j = 0; j <= nl; j++)
                up[j] = (char)(j % 2 ? ss_lower((unsigned char)names[k][j])
                                     : (names[k][j] >= 'a' && names[k][j] <= 'z'
                                            ? names[k][j] - 32 : names[k][j]));
            CHECK(ss_part_header_raw(m.root, up).ptr == v.ptr);
            memcpy(off, names[k], nl + 1);
            off[nl - 1] = off[nl - 1] == 'Z' ? 'Y' : 'Z';
            CHECK(ss_part_header_raw(m.root, off).ptr == NULL);
            off[nl - 1] = names[k][nl - 1];
            off[0] = off[0] == 'Q' ? 'R' : 'Q';
            CHECK(ss_part_header_raw(m.root, off).ptr == NULL);
        }
        CHECK(eq(ss_part_text(&m, m.root), "body"));
        ss_buf_free(&b);
    }
    /* a header block that ends without a line end, at every length */
    for (size_t l = 1; l < 70; l++) {
        char blk[80];
        memset(blk, 'x', sizeof blk);
        memcpy(blk, "Subject: ", 9);
        ss_header *h;
        size_t n, off;
        size_t len = l + 9;
        CHECK(ss_parse_headers(&A, NULL, ss_str_make(blk, len), &h, &n, &off,
                               NULL) == SMTPSTATUS_OK);
        CHECK(n == 1 && off == len && h[0].value.len == l);
    }
    /* ASCII checks across 16-byte blocks: a 0 byte, ESC or 8-bit byte at
     * each offset */
    for (size_t at = 0; at < 40; at++) {
        char t[41];
        memset(t, 'a', 40);
        t[40] = '\0';
        int unk;
        ss_str in = ss_str_make(t, 40);
        CHECK(ss_to_utf8(&A, in, S("iso-2022-jp"), &unk).ptr == t);
        CHECK(ss_to_utf8(&A, in, S("windows-1252"), &unk).ptr == t);
        t[at] = '\xE9';
        ss_str r = ss_to_utf8(&A, in, S("iso-8859-1"), &unk);
        CHECK(r.len == 41 && memcmp(r.ptr + at, "\xC3\xA9", 2) == 0);
        r = ss_to_utf8(&A, in, S("iso-2022-jp"), &unk);
        CHECK(r.ptr != t && ssf_utf8_valid(r.ptr, r.len));
        t[at] = '\x1B';
        r = ss_to_utf8(&A, in, S("iso-8859-1"), &unk);
        CHECK(r.ptr == t);
        t[at] = '\0';
        r = ss_to_utf8(&A, in, S("iso-8859-1"), &unk);
        CHECK(r.len == 40 && ssf_utf8_valid(r.ptr, r.len));
    }
}

/* ISO-2022-JP through the one-step conversion (charset.c
 * iso2022jp_to_utf8): the same bytes as the conversion to UTF-8 gave,
 * with invalid, incomplete and 4-byte (plane 2) cases. */
static void test_iso2022jp(void) {
    static const struct {
        const char *in, *out;
        size_t len;
        int unk;
    } t[] = {
        {"\x1b$B0!\x1b(B", "\xE4\xBA\x9C", 3, 0},
        {"a\x1b$B0!\xe9\x1b(Bb", "\x61\xE4\xBA\x9C\xEF\xBF\xBD\x62", 8, 0},
        {"\x1b$B0", "\xEF\xBF\xBD", 3, 0},
        {"\x1b$B0!0", "\xE4\xBA\x9C\xEF\xBF\xBD", 6, 0},
        {"x\x1b$(Q!!\x1b(B", "\x78\xE3\x80\x80", 4, 0},
        {"\x1b$B\x24\x22\x24\x24\x1b(B ok", "\xE3\x81\x82\xE3\x81\x84\x20\x6F\x6B", 9, 0},
        {"\x1b(J\\~\x1b(B", "\xC2\xA5\xE2\x80\xBE", 5, 0},
        {"\x1b$B\x7f\x7f\x1b(B", "\x7F\x7F", 2, 0},
        {"\x1b", "\xEF\xBF\xBD", 3, 0},
        {"\x1b$B\x21", "\xEF\xBF\xBD", 3, 0},
        {"\xff\xfe\x1b$B0!", "\xEF\xBF\xBD\xEF\xBF\xBD\xE4\xBA\x9C", 9, 0},
        {"\x1b$(O\x2d\x21\x1b(B", "\xE2\x91\xA0", 3, 0},
        {"\x1b$(P\x21\x21\x1b(B", "\xF0\xA0\x82\x89", 4, 0},
        {"\x1b(I\x31\x1b(B", "\xEF\xBD\xB1", 3, 0},
        {"\x1b$A0!", "\x1B\x24\x41\x30\x21", 5, 0},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int unk = -1;
        ss_str r = ss_to_utf8(&A, S(t[i].in), S("iso-2022-jp"), &unk);
        CHECK(r.ptr && r.len == t[i].len && memcmp(r.ptr, t[i].out, r.len) == 0);
        CHECK(unk == t[i].unk);
    }
}

/* Runs in JIS X 0208 are decoded by charset.c's table
 * (lib/jis0208_table.h, made by tools/gen_jis0208.c from glibc): every
 * pair of bytes, alone and twice in a run between ASCII, gives what
 * iconv's ISO-2022-JP-3 decoder gives, wherever that decodes it without
 * an error (the others go to iconv in the library too). */
static void test_jis0208_table(void) {
    iconv_t cd = iconv_open("UTF-8", "ISO-2022-JP-3");
    if (cd == (iconv_t)-1) {
        fprintf(stderr, "no ISO-2022-JP-3 in iconv: table not compared\n");
        return;
    }
    int bad = 0, compared = 0;
    for (int a = 0x21; a <= 0x7E; a++)
        for (int b = 0x21; b <= 0x7E; b++)
            for (int twice = 0; twice < 2; twice++) {
                char in[16];
                size_t n = 0;
                in[n++] = 'x';
                memcpy(in + n, "\x1b$B", 3), n += 3;
                in[n++] = (char)a, in[n++] = (char)b;
                if (twice)
                    in[n++] = (char)a, in[n++] = (char)b;
                memcpy(in + n, "\x1b(B", 3), n += 3;
                in[n++] = 'y';
                char want[32];
                char *ip = in, *op = want;
                size_t il = n, ol = sizeof want;
                iconv(cd, NULL, NULL, NULL, NULL);
                if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1 || il)
                    continue;
                compared++;
                int unk = -1;
                ss_str got = ss_to_utf8(&A, ss_str_make(in, n),
                                        S("iso-2022-jp"), &unk);
                if (!got.ptr || unk != 0 || got.len != (size_t)(op - want) ||
                    memcmp(got.ptr, want, got.len) != 0) {
                    if (bad++ < 5)
                        fprintf(stderr, "JIS X 0208 0x%02X%02X differs from iconv\n",
                                a, b);
                }
            }
    iconv_close(cd);
    CHECK(bad == 0);
    CHECK(compared > 2 * 6800); /* the mapped pairs, alone and twice */
}

int main(void) {
    ss_arena_init(&A, 0);
    test_headers();
    test_2047();
    test_transfer();
    test_tree();
    test_limits();
    test_charsets();
    test_cp1252_table();
    test_html();
    test_lookup_lengths();
    test_iso2022jp();
    test_jis0208_table();
    replay_dir("regress/fuzz_mime", 0);
    replay_dir("regress/fuzz_charset", 1);
    ss_arena_free(&A);
    return check_report();
}
