/*
 * micro.c - micro-benchmark of the libsmtpstatus hot paths, for
 * bench/micro.sh.
 *
 * Measures, over a fixed set of about fifty realistic reply lines and DSN
 * diagnostics: lines per second through smtpstatus_explain() and through
 * smtpstatus_classify() (evidence prepared beforehand with
 * smtpstatus_diag_parse()), and lookups per second through
 * smtpstatus_status_lookup() and smtpstatus_reply_lookup().  Each
 * measurement is repeated RUNS times (argv[1], default 5) and the median
 * is printed.  It does not check results beyond a checksum that keeps the
 * compiler from dropping the work; the unit tests check results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "smtpstatus.h"

static const char *const lines[] = {
    "550 5.1.1 <alice@example.com>: Recipient address rejected: User unknown in virtual mailbox table",
    "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces.",
    "smtp; 550 5.1.1 <bob@example.org>... User unknown",
    "smtp; 552 5.2.2 Mailbox full",
    "452 4.2.2 The email account that you tried to reach is over quota.",
    "550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
    "554 5.7.1 <unknown[192.0.2.9]>: Client host rejected: Access denied",
    "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints",
    "550 5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM.",
    "550 5.7.23 The message was rejected because of Sender Policy Framework violation",
    "#5.1.1 smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found",
    "smtp;550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [DB8EUR05FT012.eop-eur05.prod.protection.outlook.com]",
    "450 4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered.",
    "552 5.3.4 Your message exceeded Google's message size limits.",
    "554 5.4.7 [internal] exceeded max time without delivery",
    "X-Postfix; connect to mx.example.net[198.51.100.7]:25: Connection timed out",
    "X-Postfix; Host or domain name not found. Name service error for name=example.invalid type=MX: Host not found",
    "smtp; 550 Requested action not taken: mailbox unavailable",
    "553 5.1.3 The recipient address <foo@@example.com> is not a valid RFC 5321 address.",
    "550 5.2.1 The email account that you tried to reach is disabled.",
    "554 delivery error: dd This user doesn't have a yahoo.com account (nobody@yahoo.com) [0] - mta1234.mail.bf1.yahoo.com",
    "421 4.7.0 Try again later, closing connection.",
    "451 4.7.1 Greylisting in action, please come back later",
    "450 4.7.1 Client host rejected: cannot find your reverse hostname, [203.0.113.5]",
    "550 5.7.25 The IP address sending this message does not have a PTR record setup.",
    "550 5.7.350 Remote server returned message detected as spam -> 554 5.7.1 Message rejected as spam by Content Filtering",
    "554 5.7.1 This message has been blocked because it contains a virus",
    "550 5.7.606 Access denied, banned sending IP [192.0.2.44]. To request removal from this list please visit https://sender.office.com/",
    "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
    "smtp; 554 5.7.9 Message not accepted for policy reasons",
    "smtp; 550 5.7.1 Unauthenticated email from example.com is not accepted due to domain's DMARC policy.",
    "smtp; 530 5.7.0 Must issue a STARTTLS command first",
    "454 4.7.0 TLS not available due to local problem",
    "smtp; 554 5.6.0 Message contains invalid header",
    "550 5.6.1 Message content rejected, UBE, id=12345-01",
    "smtp; 421 4.4.2 Connection dropped",
    "451 4.3.0 Temporary system failure. Please try again later.",
    "452 4.3.1 Insufficient system storage",
    "550 5.1.6 Recipient addresses changed: mailbox has moved",
    "smtp; 551 5.1.6 User not local; please try <carol@example.net>",
    "550 Relaying denied",
    "554 5.7.1 <dave@example.com>: Relay access denied",
    "smtp; 550 5.1.2 Host unknown (Name server: example.invalid: host not found)",
    "550 5.5.0 Requested action not taken: mailbox unavailable (in reply to RCPT TO command)",
    "501 5.5.4 Syntax error in parameters or arguments",
    "500 5.5.1 Command unrecognized",
    "421 Service not available, closing transmission channel",
    "554 Transaction failed",
    "250 2.0.0 Ok: queued as 4F3A21C0123",
    "250 2.1.5 Ok",
    "X-Unix; 127",
    "mailbox is full (MTA response)",
    "Sorry, I couldn't find any host named example.invalid. (#5.1.2)",
};
#define NLINES (sizeof lines / sizeof lines[0])

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Prepared inputs for classify. */
typedef struct prepared {
    smtpstatus_evidence ev[NLINES];
} prepared;

/* One pass over the work of kind k; returns a checksum. */
static unsigned long pass(int k, const prepared *p)
{
    unsigned long sum = 0;
    size_t i;
    int a, b;
    switch (k) {
    case 0: /* explain */
        for (i = 0; i < NLINES; i++) {
            smtpstatus_explanation ex;
            smtpstatus_explain(lines[i], strlen(lines[i]), &ex);
            sum += (unsigned long)ex.verdict.reason + (unsigned long)ex.reply_code;
        }
        break;
    case 1: /* classify */
        for (i = 0; i < NLINES; i++) {
            smtpstatus_verdict v;
            smtpstatus_classify(&p->ev[i], &v);
            sum += (unsigned long)v.reason + (unsigned long)v.hard_bounce;
        }
        break;
    case 2: /* status lookup: subjects 0..7 x details -1..19 */
        for (a = 0; a <= 7; a++)
            for (b = -1; b <= 19; b++) {
                const smtpstatus_status_info *si = smtpstatus_status_lookup(a, b);
                sum += si ? (unsigned long)si->detail + 2u : 1u;
            }
        break;
    case 3: /* reply lookup: 200..599 */
        for (a = 200; a <= 599; a++) {
            const smtpstatus_reply_info *ri = smtpstatus_reply_lookup(a);
            sum += ri ? (unsigned long)ri->code : 1u;
        }
        break;
    default:
        break;
    }
    return sum;
}

static size_t units_per_pass(int k)
{
    switch (k) {
    case 0:
    case 1:
        return NLINES;
    case 2:
        return 8 * 21;
    case 3:
        return 400;
    default:
        return 1;
    }
}

int main(int argc, char **argv)
{
    static const char *const names[] = {
        "smtpstatus_explain", "smtpstatus_classify",
        "smtpstatus_status_lookup", "smtpstatus_reply_lookup"};
    static const char *const units[] = {"lines/s", "lines/s", "lookups/s",
                                        "lookups/s"};
    static prepared p;
    volatile unsigned long sink = 0;
    double rates[64];
    long runs = 5;
    int k;
    size_t i;

    if (argc > 1) {
        runs = strtol(argv[1], NULL, 10);
        if (runs < 1 || runs > 64) {
            fprintf(stderr, "usage: micro [RUNS 1..64]\n");
            return 2;
        }
    }

    /* Evidence for classify, from the diagnostic parser (not timed). */
    for (i = 0; i < NLINES; i++) {
        smtpstatus_diag d;
        smtpstatus_evidence *ev = &p.ev[i];
        memset(ev, 0, sizeof *ev);
        smtpstatus_diag_parse(lines[i], strlen(lines[i]), &d);
        ev->reply_code = d.reply_code;
        ev->status = d.status;
        ev->text = d.text.ptr;
        ev->text_len = d.text.len;
        ev->action = "failed";
    }

    printf("libsmtpstatus %s, %u input lines, %ld runs (median)\n",
           smtpstatus_version(), (unsigned)NLINES, runs);
    for (k = 0; k < 4; k++) {
        long iters = 1, r;
        double t, t0;
        /* Calibrate: about 0.1 s per run, at most 2^30 passes. */
        for (;;) {
            long j;
            t0 = now_sec();
            for (j = 0; j < iters; j++)
                sink += pass(k, &p);
            t = now_sec() - t0;
            if (t >= 0.1 || iters >= (1L << 30))
                break;
            iters *= 2;
        }
        for (r = 0; r < runs; r++) {
            long j;
            t0 = now_sec();
            for (j = 0; j < iters; j++)
                sink += pass(k, &p);
            t = now_sec() - t0;
            if (t <= 0)
                t = 1e-9;
            rates[r] = (double)iters * (double)units_per_pass(k) / t;
        }
        qsort(rates, (size_t)runs, sizeof rates[0], cmp_double);
        t = runs % 2 ? rates[runs / 2]
                     : (rates[runs / 2 - 1] + rates[runs / 2]) / 2;
        printf("%-26s %14.0f %s  (%.0f ns each)\n", names[k], t, units[k],
               1e9 / t);
    }
    printf("checksum %lu\n", (unsigned long)sink);
    return 0;
}
