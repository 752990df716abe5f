/*
 * main.c - entry point of the smtpstatus command-line tool: picks the
 * command, prints help and version, and holds the small option scanner
 * the commands share.  The commands live in cmd_*.c.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char help_main[] =
"smtpstatus - explain SMTP replies and status codes, analyze bounce mail\n"
"\n"
"Usage:\n"
"  smtpstatus explain [--json] ARG...     explain codes or whole replies\n"
"  smtpstatus parse   [--json] [--strict] read SMTP replies or a session\n"
"                                         transcript on standard input\n"
"  smtpstatus bounce  [OPTIONS] PATH...   analyze bounce mail (file, mbox,\n"
"                                         Maildir, folder, or - for stdin)\n"
"  smtpstatus list    [--json|--csv] [--basic|--enhanced|--reasons]\n"
"                                         the registry, or the reasons\n"
"  smtpstatus help [COMMAND]              help on one command\n"
"  smtpstatus --version | --help\n"
"\n"
"Run 'smtpstatus help COMMAND' or 'smtpstatus COMMAND --help' for the\n"
"options of a command.  The manual page is smtpstatus(1).\n"
"\n"
"Exit status: 0 success; 1 some input was invalid or could not be read\n"
"(the rest is still processed); 2 usage error (unknown command or option,\n"
"missing argument).\n"
"\n"
"Examples:\n"
"  smtpstatus explain 550 5.7.1 '421 4.7.0 Try again later'\n"
"  smtpstatus explain --json 'smtp; 550 5.1.1 <a@example.org>: User unknown'\n"
"  printf '250 OK\\r\\n' | smtpstatus parse --json\n"
"  smtpstatus bounce --format csv ~/Maildir/.bounces > bounces.csv\n"
"  smtpstatus list --enhanced\n";

static const char help_explain[] =
"Usage: smtpstatus explain [--json] ARG...\n"
"\n"
"Explain each ARG: a reply code (550), a status code (5.1.1), both\n"
"(550 5.1.1), a whole reply ('550-5.1.1 The email account ... does not\n"
"exist'), a DSN diagnostic ('smtp; 550 5.1.1 <a@b>: User unknown') or an\n"
"Exchange-style '#5.1.1 smtp;550 ...'.  Text without any code is\n"
"classified by its words alone.\n"
"\n"
"For each argument the text output gives the reply code and its meaning,\n"
"the status code and its meaning, the class, the reason (sisimai names:\n"
"userunknown, mailboxfull, ...), hard or soft bounce and bounce type,\n"
"whether retrying can help, who has to act, advice, warnings about the\n"
"syntax, and the RFCs to read.\n"
"\n"
"Options:\n"
"  --json      one JSON object per argument, one per line, with the\n"
"              members: input, reply_code (number or null), status\n"
"              (\"5.1.1\" or null), class (success|transient|permanent|\n"
"              intermediate or null), subject, reply_text, reply_meaning,\n"
"              status_name, status_meaning, status_known, reason,\n"
"              reason_meaning, hard_bounce, bounce_type (hard|soft|block|\n"
"              admin|undetermined|none), retry (true when sending the same\n"
"              thing again can succeed), retry_when (no|later|after_fix|\n"
"              n/a), actor, advice, consistent (reply code and status\n"
"              agree), warnings (names), references (\"RFC 5321\", ...),\n"
"              text (the words after the codes), classified_by, error\n"
"              (null, or why the argument could not be explained)\n"
"  -h, --help  this help\n"
"\n"
"Exit status: 0 every argument had a code or a classification; 1 some\n"
"argument had neither (an error naming it goes to stderr, the others are\n"
"still explained); 2 usage error.\n"
"\n"
"Examples:\n"
"  smtpstatus explain 452 4.2.2\n"
"  smtpstatus explain --json '550-5.1.1 The email account that you tried to reach does not exist.'\n";

static const char help_parse[] =
"Usage: smtpstatus parse [--json] [--strict] < INPUT\n"
"\n"
"Read SMTP replies from standard input: bare replies, or a session\n"
"transcript where client and server lines are mixed.  Multi-line replies\n"
"(250-...) are joined.  Recognized line prefixes: 'S:' and 'C:', '<<< '\n"
"(server) and '>>> ' (client), '<- ' / '<~ ' / '<** ' (server) and\n"
"' -> ' / ' ~> ' (client), 'SERVER -> CLIENT: ' and 'CLIENT -> SERVER: '.\n"
"Client commands (EHLO, MAIL FROM:, RCPT TO:,\n"
"DATA, ...) are remembered so that each reply shows the command it\n"
"answers (smtp_command); message content after a 354 reply is skipped up\n"
"to the line '.'.  Other lines are skipped.\n"
"\n"
"For each reply: line number, reply code, status code, text (lines\n"
"joined by a space), warnings, the command and the explanation (class,\n"
"reason, hard/soft, retry, advice).\n"
"\n"
"Options:\n"
"  --json      one JSON object per reply, one per line: line, lines,\n"
"              smtp_command, reply_code, status, text, warnings, then the\n"
"              members of 'explain --json' (class, reason, hard_bounce,\n"
"              retry, advice, ...)\n"
"  --strict    lines must end with CRLF and '5.1.1:' is not a status\n"
"              code (default: lenient, LF alone is accepted with a\n"
"              warning)\n"
"  -h, --help  this help\n"
"\n"
"An invalid reply gives 'smtpstatus: parse: line N, byte B: PROBLEM' on\n"
"stderr (B is the 1-based byte position in that line) and parsing goes\n"
"on with the next line.\n"
"\n"
"Exit status: 0 all replies valid; 1 some reply was invalid or no reply\n"
"was found; 2 usage error.\n"
"\n"
"Example:\n"
"  printf 'S: 220 mx.example.org ESMTP\\nC: RCPT TO:<a@example.org>\\nS: 550 5.1.1 No such user\\n' | smtpstatus parse\n";

static const char help_list[] =
"Usage: smtpstatus list [--json|--csv] [--basic|--enhanced|--reasons]\n"
"\n"
"Print the registry: SMTP reply codes (--basic) and enhanced status\n"
"codes (--enhanced); both by default.  --reasons prints the reason\n"
"taxonomy instead: each reason's bounce type, whether it is a hard\n"
"bounce (yes, no, or \"if permanent\": only with a 5xx/5.x.x code), what\n"
"it means and what the sender should do.\n"
"\n"
"Options:\n"
"  --reasons    the reasons (fields: reason, bounce_type, hard_bounce,\n"
"               meaning, advice)\n"
"  --basic      only the reply codes (250, 550, ...)\n"
"  --enhanced   only the enhanced status codes (X.1.1, ...)\n"
"  --json       JSON: one array with --basic or --enhanced alone, else an\n"
"               object {\"basic\": [...], \"enhanced\": [...]}.  Reply code\n"
"               entries: code, class, text, meaning, advice, rfcs, context,\n"
"               standard, retry, actor.  Status entries: code, name,\n"
"               meaning, advice, reply_codes, classes, rfcs, standard,\n"
"               retry, retry_permanent, retry_transient, actor\n"
"  --csv        CSV (RFC 4180) with a header row: kind (basic|enhanced),\n"
"               code, name, meaning, advice, reply_codes, classes, rfcs,\n"
"               context, standard, retry, actor\n"
"  -h, --help   this help\n"
"\n"
"Default output is a table for people.  Exit status: 0, or 2 on a usage\n"
"error.\n";

static const char help_bounce[] =
"Usage: smtpstatus bounce [OPTIONS] PATH...\n"
"\n"
"Analyze bounce messages and write one record per recipient per message.\n"
"PATH is a message file (.eml), an mbox, a Maildir or a folder (read\n"
"recursively, sorted), or - for standard input.  A message that is not a\n"
"bounce gives no record (with --all: a record with reason not_a_bounce).\n"
"\n"
"Output:\n"
"  -f, --format FMT\n"
"                 jsonl (default when stdout is not a terminal): one JSON\n"
"                 object per line; json: one JSON array; csv: RFC 4180 with\n"
"                 a header row; table (default on a terminal): aligned\n"
"                 columns for people (source, recipient, status, reply,\n"
"                 reason, hard), long cells cut; sisimai: one JSON array\n"
"                 with the field names of sisimai's JSON dump\n"
"  --all          also a record for messages that are not bounces\n"
"  --delivered    keep delivered/relayed/expanded records\n"
"  --vacation     keep auto-replies (reason vacation)\n"
"  --sisimai-compat  classify as sisimai 5.2 does where its rules differ:\n"
"                 a \"user unknown\" text (by sisimai's own phrase list)\n"
"                 whose failed command is not known to come before DATA\n"
"                 is filtered there, userunknown by default here; local\n"
"                 delivery agents' messages decide first (details:\n"
"                 docs/corpus-differences.md)\n"
"\n"
"Record fields (jsonl, json, csv; always in this order): source (path,\n"
"with :N for the N-th message of an mbox), recipient, action, status,\n"
"reply_code, reason, hard_bounce, bounce_type, diagnostic_code,\n"
"diagnostic_type, remote_mta, reporting_mta, smtp_command, decoder,\n"
"feedback_type, message_id, subject, addresser, list_id, alias, date,\n"
"timestamp, timezone_offset, warnings.\n"
"\n"
"Reasons: authfailure badreputation blocked contenterror delivered\n"
"exceedlimit expired failedstarttls feedback filtered hasmoved hostunknown\n"
"mailboxfull mailererror mesgtoobig networkerror norelaying notaccept\n"
"notcompliantrfc onhold policyviolation rejected requireptr securityerror\n"
"spamdetected speeding suppressed suspend syntaxerror systemerror\n"
"systemfull toomanyconn undefined userunknown vacation virusdetected\n"
"not_a_bounce.\n"
"\n"
"Processing:\n"
"  -j, --jobs N   analyze with N threads (default 1); the output and the\n"
"                 problem lines keep the input order\n"
"  --max-message-size BYTES  cut messages longer than this (default 64M);\n"
"                 BYTES may end in K, M or G\n"
"  --max-header-size BYTES   one header block (default 1M)\n"
"  --max-line-length BYTES   longer lines are cut (default 1M)\n"
"  --max-depth N  multipart nesting (default 32)\n"
"  --max-parts N  MIME parts per message (default 1000)\n"
"  --max-recipients N        records per message (default 10000)\n"
"  --max-text-scan BYTES     body text that decoders read (default 1M)\n"
"                 A limit hit is reported in the record's warnings.\n"
"\n"
"Reporting (all on stderr):\n"
"  -q, --quiet    no 'smtpstatus: SOURCE: PROBLEM' lines\n"
"  --stats        at the end: inputs, messages, bounces, not bounces,\n"
"                 records, failed, warnings, bytes, elapsed seconds and\n"
"                 messages per second\n"
"  --progress     show progress about twice a second (default when stderr\n"
"                 is a terminal); --no-progress turns it off\n"
"  -h, --help     this help\n"
"\n"
"Exit status: 0 every input was read; 1 some input or message could not\n"
"be read (or the output could not be written); 2 usage error.\n"
"\n"
"Examples:\n"
"  smtpstatus bounce bounce.eml\n"
"  smtpstatus bounce --format csv --stats /var/mail/bounces > out.csv\n"
"  smtpstatus bounce -j 4 --format sisimai Maildir/ | jq length\n"
"  cat msg.eml | smtpstatus bounce -\n";

int cli_help(const char *cmd, FILE *f)
{
    const char *t;
    if (!cmd || !*cmd)
        t = help_main;
    else if (strcmp(cmd, "explain") == 0)
        t = help_explain;
    else if (strcmp(cmd, "parse") == 0)
        t = help_parse;
    else if (strcmp(cmd, "list") == 0)
        t = help_list;
    else if (strcmp(cmd, "bounce") == 0)
        t = help_bounce;
    else
        return -1;
    fputs(t, f);
    return 0;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("smtpstatus: ", stderr);
    if (cmd)
        fprintf(stderr, "%s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (cmd)
        fprintf(stderr, "Try 'smtpstatus %s --help'.\n", cmd);
    else
        fputs("Try 'smtpstatus --help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

void cli_args_init(cli_args *a, const char *cmd, int argc, char **argv)
{
    a->argc = argc;
    a->argv = argv;
    a->i = 0;
    a->only_operands = 0;
    a->cmd = cmd;
    a->shortbuf[0] = '\0';
}

int cli_args_next(cli_args *a, const char **arg, const char **inl)
{
    const char *s;
    *inl = NULL;
    for (;;) {
        if (a->i >= a->argc)
            return CLI_END;
        s = a->argv[a->i++];
        if (a->only_operands || s[0] != '-' || s[1] == '\0') {
            *arg = s; /* "-" alone is an operand (stdin) */
            return CLI_OPERAND;
        }
        if (strcmp(s, "--") == 0) {
            a->only_operands = 1;
            continue;
        }
        break;
    }
    if (s[1] == '-') {
        const char *eq = strchr(s, '=');
        if (eq) {
            size_t n = (size_t)(eq - s);
            /* cut the name at '=' in place (argv is ours) */
            a->argv[a->i - 1][n] = '\0';
            *inl = eq + 1;
        }
        *arg = s;
        return CLI_OPTION;
    }
    /* short option, maybe with an attached value: -j4 */
    a->shortbuf[0] = '-';
    a->shortbuf[1] = s[1];
    a->shortbuf[2] = '\0';
    if (s[2])
        *inl = s + 2;
    *arg = a->shortbuf;
    return CLI_OPTION;
}

const char *cli_args_value(cli_args *a, const char *opt, const char *inl)
{
    if (inl)
        return inl;
    if (a->i < a->argc)
        return a->argv[a->i++];
    cli_usage_error(a->cmd, "option %s needs a value", opt);
    return NULL;
}

/* The options of each command, for "did you mean" hints. */
static const char *const opts_explain[] = {"--json", "--help", NULL};
static const char *const opts_parse[] = {"--json", "--strict", "--help",
                                         NULL};
static const char *const opts_list[] = {"--json", "--csv", "--basic",
                                        "--enhanced", "--reasons", "--help",
                                        NULL};
static const char *const opts_bounce[] = {
    "--format", "--all", "--delivered", "--vacation", "--sisimai-compat",
    "--jobs",
    "--max-message-size", "--max-header-size", "--max-line-length",
    "--max-depth", "--max-parts", "--max-recipients", "--max-text-scan",
    "--quiet", "--stats", "--progress", "--no-progress", "--help", NULL};

/* Edit distance of two short strings, capped at 9. */
static size_t distance(const char *x, const char *y)
{
    size_t lx = strlen(x), ly = strlen(y), i, j;
    size_t row[40], prev, tmp;
    if (lx >= 40 || ly >= 40)
        return 9;
    for (j = 0; j <= ly; j++)
        row[j] = j;
    for (i = 1; i <= lx; i++) {
        prev = row[0];
        row[0] = i;
        for (j = 1; j <= ly; j++) {
            size_t best = prev + (x[i - 1] != y[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            tmp = row[j];
            row[j] = best;
            prev = tmp;
        }
    }
    return row[ly] > 9 ? 9 : row[ly];
}

int cli_bad_option(cli_args *a, const char *opt, const char *inl)
{
    const char *const *list = NULL;
    const char *best = NULL;
    size_t bestd = 3, i;
    if (inl)
        return cli_usage_error(a->cmd, "option %s takes no value", opt);
    if (a->cmd && strcmp(a->cmd, "explain") == 0)
        list = opts_explain;
    else if (a->cmd && strcmp(a->cmd, "parse") == 0)
        list = opts_parse;
    else if (a->cmd && strcmp(a->cmd, "list") == 0)
        list = opts_list;
    else if (a->cmd && strcmp(a->cmd, "bounce") == 0)
        list = opts_bounce;
    for (i = 0; list && list[i]; i++) {
        size_t d = distance(opt, list[i]);
        if (d < bestd) {
            bestd = d;
            best = list[i];
        }
    }
    if (best)
        return cli_usage_error(a->cmd, "unknown option '%s' (did you mean "
                               "%s?)", opt, best);
    return cli_usage_error(a->cmd, "unknown option '%s'", opt);
}

static int version(void)
{
    printf("smtpstatus %s (libsmtpstatus %s)\n", SMTPSTATUS_VERSION_STRING,
           smtpstatus_version());
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}

int main(int argc, char **argv)
{
    const char *cmd;
    if (argc < 2) {
        cli_help(NULL, stderr);
        return CLI_EXIT_USAGE;
    }
    cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        cli_help(NULL, stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc > 3)
            return cli_usage_error(NULL, "help takes one command name");
        if (cli_help(argc == 3 ? argv[2] : NULL, stdout) != 0)
            return cli_usage_error(NULL, "no such command '%s' (commands: "
                                   "explain, parse, bounce, list)", argv[2]);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 ||
        strcmp(cmd, "version") == 0)
        return version();
    if (strcmp(cmd, "explain") == 0)
        return cmd_explain(argc - 2, argv + 2);
    if (strcmp(cmd, "parse") == 0)
        return cmd_parse(argc - 2, argv + 2);
    if (strcmp(cmd, "list") == 0)
        return cmd_list(argc - 2, argv + 2);
    if (strcmp(cmd, "bounce") == 0)
        return cmd_bounce(argc - 2, argv + 2);
    if (cmd[0] == '-')
        return cli_usage_error(NULL, "unknown option '%s' (options come "
                               "after the command)", cmd);
    return cli_usage_error(NULL, "unknown command '%s' (commands: explain, "
                           "parse, bounce, list, help)", cmd);
}
