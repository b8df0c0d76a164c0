# Shared by the benchmark scripts (sourced, not run): timing whole commands in alternating
# rounds. The script that sources it declares `cmd` (name → command line), `order` (names)
# and `dir` (where each command's output goes, to a file: a tool writing to /dev/null may stop
# at the first match).

declare -A times

# Runs command `$1` once and adds its time in microseconds to `times[$1]`. Status 1 says that
# grep found nothing or that a transcript failed: only 2 and above is an error.
run() {
    local start end status=0
    start=$(date +%s%N)
    ${cmd[$1]} > "$dir/out-$1" 2>/dev/null || status=$?
    end=$(date +%s%N)
    if [ "$status" -gt 1 ]; then
        echo "$1 failed with status $status" >&2
        exit 1
    fi
    times[$1]+="$(( (end - start) / 1000 )) "
}

# Runs every command of `order` in turn, `$1` rounds.
rounds() {
    for _ in $(seq "$1"); do
        for name in "${order[@]}"; do run "$name"; done
    done
}

# The median of command `$1`'s times, in microseconds.
median() {
    echo "${times[$1]}" | tr ' ' '\n' | grep . | sort -n |
        awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
