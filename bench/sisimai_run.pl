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
# usage: perl sisimai_run.pl PATH...
use strict;
use warnings;
use Sisimai;

die "usage: $0 PATH...\n" unless @ARGV;

my $method = Sisimai->can('rise') ? 'rise' : Sisimai->can('make') ? 'make' : undef;
die "sisimai_run.pl: this Sisimai has neither rise() nor make()\n" unless $method;

my $results = 0;
for my $path (@ARGV) {
    die "sisimai_run.pl: $path: no such file or directory\n" unless -e $path;
    my $list = Sisimai->$method($path, 'delivered' => 1) || [];
    $results += scalar @$list;
}
printf "sisimai %s %s: %d results\n", $Sisimai::VERSION, $method, $results;
exit 0;
