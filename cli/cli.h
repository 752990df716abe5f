/*
 * cli.h - what the parts of the smtpstatus command-line tool share: the
 * command entry points, help, and a small option scanner.  The tool uses
 * only the public API in smtpstatus.h.
 */
#ifndef SMTPSTATUS_CLI_H
#define SMTPSTATUS_CLI_H

#include <stdio.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

int cmd_explain(int argc, char **argv);
int cmd_parse(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_bounce(int argc, char **argv);

/* Give the calling thread a descriptor table of its own (thread_fds.c). */
void cli_thread_own_fds(void);

/* Print the help of a command (NULL or "" for the overview) to f.
 * Returns 0, or -1 when cmd is not a command. */
int cli_help(const char *cmd, FILE *f);

/* Print "smtpstatus: CMD: message" and a hint to stderr; returns 2. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Option scanner: options may come before or after operands; "--" ends
 * them; "--name=value" and "-jN" forms give an inline value. */
typedef struct cli_args {
    int argc;
    char **argv;
    int i;
    int only_operands;
    const char *cmd;
    char shortbuf[3];
} cli_args;

enum { CLI_END = 0, CLI_OPERAND = 1, CLI_OPTION = 2 };

void cli_args_init(cli_args *a, const char *cmd, int argc, char **argv);
/* Next item: CLI_OPERAND (*arg set), CLI_OPTION (*arg = "--name" or "-x",
 * *inl = inline value or NULL), or CLI_END. */
int cli_args_next(cli_args *a, const char **arg, const char **inl);
/* The value of an option that takes one: the inline value or the next
 * argument; NULL (and a usage message printed) when missing. */
const char *cli_args_value(cli_args *a, const char *opt, const char *inl);
/* Report an option that takes no value but got one, or is unknown;
 * returns 2. */
int cli_bad_option(cli_args *a, const char *opt, const char *inl);

/* ---- shared by explain and parse ---- */
#include "out.h"
#include "smtpstatus.h"

/* The fields of an explanation as JSON members (after *first handling):
 * reply_code ... references, text.  Does not write braces or "input". */
void explain_json_members(obuf *b, const smtpstatus_explanation *ex,
                          int *first);
/* The block for people: each line starts with indent. */
void explain_text_block(obuf *b, const smtpstatus_explanation *ex,
                        const char *indent);
/* "no", "later", "after_fix", "n/a" */
const char *cli_retry_when(smtpstatus_retry r);
/* JSON array of warning names for SMTPSTATUS_W_* bits. */
void json_warning_list(obuf *b, unsigned warnings);
#endif
