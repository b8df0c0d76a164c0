#!/usr/bin/env bash
# End to end: the whole command line against `grep -F -o -f` over the same bytes.
#
#   benches/e2e.sh [SIZE] [ROUNDS]      (SIZE as gen_corpus takes it, default 40M; ROUNDS 5)
#
# Generates a corpus of calls and chats (JSON Lines), then times, in alternating rounds so
# that the machine's noise falls on every command alike, one thread each, output to a file
# (grep with its output on /dev/null stops at the first match):
#
#   grep           grep -F -o -f benches/e2e/phrases.txt   (43 phrases)
#   compact        huashu check --format json --compact --threads 1   (built-in pack)
#   json           huashu check --format json --threads 1             (built-in pack)
#   phrases        huashu check --format json --compact --threads 1 --rules benches/e2e/phrases.toml
#                  (the same 43 phrases as grep, as one forbidden rule)
#   phrases-json   the same with the default JSON
#   compact-2      compact on two threads
#   json-2         json on two threads
#
# and prints each one's median time, its speed in MB/s of input, its ratio to grep, and its median
# CPU time (user and system).
set -euo pipefail
cd "$(dirname "$0")/.."

size=${1:-40M}
rounds=${2:-5}
dir=target/e2e
mkdir -p "$dir"

cargo build --release --quiet --bin huashu --example gen_corpus
huashu=target/release/huashu
corpus="$dir/corpus-$size.jsonl"
[ -s "$corpus" ] || target/release/examples/gen_corpus "$size" > "$corpus"
bytes=$(stat -c %s "$corpus")

declare -A cmd=(
    [grep]="grep -F -o -f benches/e2e/phrases.txt $corpus"
    [compact]="$huashu check $corpus --format json --compact --threads 1"
    [json]="$huashu check $corpus --format json --threads 1"
    [phrases]="$huashu check $corpus --format json --compact --threads 1 --rules benches/e2e/phrases.toml"
    [phrases-json]="$huashu check $corpus --format json --threads 1 --rules benches/e2e/phrases.toml"
    [compact-2]="$huashu check $corpus --format json --compact --threads 2"
    [json-2]="$huashu check $corpus --format json --threads 2"
)
order=(grep compact json phrases phrases-json compact-2 json-2)
source benches/rounds.sh
rounds "$rounds"

grep_us=$(median grep)
printf 'corpus: %s (%d bytes), %d rounds, median of each\n' "$corpus" "$bytes" "$rounds"
printf '%-14s %8s %8s %8s %14s %8s\n' command seconds MB/s "× grep" "output bytes" CPU
for name in "${order[@]}"; do
    us=$(median "$name")
    cpu_us=$(median "$name" cpu)
    out=$(stat -c %s "$dir/out-$name")
    awk -v n="$name" -v us="$us" -v b="$bytes" -v g="$grep_us" -v o="$out" -v c="$cpu_us" \
        'BEGIN { printf "%-14s %8.3f %8.1f %8.2f %14d %8.3f\n", n, us / 1e6, b / us, us / g, o, c / 1e6 }'
done
