#!/usr/bin/perl
# sisimai_run.pl - run the Sisimai Perl library over one path (a folder of
# messages, an mbox or a single message) and print how many results
# (recipients) it found, to show that it really parsed, for bench/speed.sh.
#
# Works with Sisimai 4.x (Sisimai->make, Debian's libsisimai-perl 4.25)
# and 5.x (Sisimai->rise).  Delivered records are kept, as smtpstatus'
# speed run keeps them.  It does not compare results: see
# bench/corpus.sh for agreement.
#
# With --json it calls Sisimai->dump instead, which also turns the results
# into JSON text, as `smtpstatus bounce --format jsonl` writes them: the
# same work on both sides.  It then prints the JSON's size in bytes.
#
# usage: perl sisimai_run.pl [--json] PATH...
use strict;
use warnings;
use Sisimai;

my $json = 0;
if (@ARGV && $ARGV[0] eq '--json') {
    $json = 1;
    shift @ARGV;
}
die "usage: $0 [--json] PATH...\n" unless @ARGV;

my $method = Sisimai->can('rise') ? 'rise' : Sisimai->can('make') ? 'make' : undef;
die "sisimai_run.pl: this Sisimai has neither rise() nor make()\n" unless $method;

die "sisimai_run.pl: this Sisimai has no dump()\n" if $json && !Sisimai->can('dump');

my ($results, $bytes) = (0, 0);
for my $path (@ARGV) {
    die "sisimai_run.pl: $path: no such file or directory\n" unless -e $path;
    if ($json) {
        my $text = Sisimai->dump($path, 'delivered' => 1);
        $bytes += length($text // '');
        next;
    }
    my $list = Sisimai->$method($path, 'delivered' => 1) || [];
    $results += scalar @$list;
}
if ($json) {
    printf "sisimai %s dump: %d bytes of JSON\n", $Sisimai::VERSION, $bytes;
} else {
    printf "sisimai %s %s: %d results\n", $Sisimai::VERSION, $method, $results;
}
exit 0;
