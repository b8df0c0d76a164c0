#!/usr/bin/env bash
# huashu side by side with phrase filters: the same 43 phrases (benches/e2e/phrases.txt), the
# same replies, one thread, whole processes, output to a file.
#
#   benches/peers/run.sh [SIZE] [ROUNDS]     (SIZE as gen_corpus takes it, default 20M; ROUNDS 3)
#
#   huashu-phrases  huashu check CORPUS.jsonl --rules benches/e2e/phrases.toml --format json
#                   --compact --threads 1   (normalization on: width, case, traditional
#                   characters, separators; the calls and chats as JSON Lines)
#   huashu-builtin  the same with the built-in pack (conversation rules and scoring on)
#   pyahocorasick   pyahocorasick over the text of every turn, one per line
#   flashtext       flashtext over the same lines
#   mint-filter     mint-filter (Node.js) over the same lines
#   grep            grep -F -o -f over the same lines
#
# Speeds are in MB/s of turn text (the lines the filters read), so huashu gets no credit for
# the JSON around it. The filters are installed under target/peers from PyPI and npm.
set -euo pipefail
cd "$(dirname "$0")/../.."

size=${1:-20M}
rounds=${2:-3}
dir=target/peers
mkdir -p "$dir"

cargo build --release --quiet --bin huashu --example gen_corpus
if [ ! -x "$dir/venv/bin/python" ]; then
    python3 -m venv "$dir/venv"
    "$dir/venv/bin/pip" install --quiet --disable-pip-version-check pyahocorasick==2.3.1 flashtext==2.7
fi
if [ ! -d "$dir/node/node_modules/mint-filter" ]; then
    mkdir -p "$dir/node"
    npm install --silent --prefix "$dir/node" mint-filter@4.0.3 > /dev/null
fi

corpus="$dir/corpus-$size.jsonl"
text="$dir/text-$size.txt"
[ -s "$corpus" ] || target/release/examples/gen_corpus "$size" > "$corpus"
[ -s "$text" ] || "$dir/venv/bin/python" -c '
import json, sys
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for line in f:
        for turn in json.loads(line)["turns"]:
            out.write(turn["text"].replace("\n", " ") + "\n")
' "$corpus" "$text"
bytes=$(stat -c %s "$text")
phrases=benches/e2e/phrases.txt

declare -A cmd=(
    [huashu-phrases]="target/release/huashu check $corpus --rules benches/e2e/phrases.toml --format json --compact --threads 1"
    [huashu-builtin]="target/release/huashu check $corpus --format json --compact --threads 1"
    [pyahocorasick]="$dir/venv/bin/python benches/peers/scan_pyahocorasick.py $phrases $text"
    [flashtext]="$dir/venv/bin/python benches/peers/scan_flashtext.py $phrases $text"
    [mint-filter]="env NODE_PATH=$dir/node/node_modules node benches/peers/scan_mint.js $phrases $text"
    [grep]="grep -F -o -f $phrases $text"
)
order=(huashu-phrases huashu-builtin pyahocorasick flashtext mint-filter grep)
source benches/rounds.sh
rounds "$rounds"

base=$(median huashu-phrases)
printf 'turn text: %s (%d bytes), %d rounds, median of each\n' "$text" "$bytes" "$rounds"
printf '%-15s %10s %10s %22s\n' tool seconds "MB/s" "× huashu-phrases time"
for name in "${order[@]}"; do
    us=$(median "$name")
    awk -v n="$name" -v us="$us" -v b="$bytes" -v h="$base" \
        'BEGIN { printf "%-15s %10.3f %10.1f %22.2f\n", n, us / 1e6, b / us, us / h }'
done
