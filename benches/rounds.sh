# Shared by the benchmark scripts (sourced, not run): timing whole commands in alternating
# rounds. The script that sources it declares `cmd` (name → command line), `order` (names)
# and `dir` (where each command's output goes, to a file: a tool writing to /dev/null may stop
# at the first match).

declare -A times cpu

# Runs command `$1` once and adds its wall time and its CPU time (user and system, of the
# command and its children), in microseconds, to `times[$1]` and `cpu[$1]`. Status 1 says
# that grep found nothing or that a transcript failed: only 2 and above is an error.
run() {
    local status=0 real user sys TIMEFORMAT='%3R %3U %3S'
    { time { ${cmd[$1]} > "$dir/out-$1" 2>/dev/null || status=$?; }; } 2> "$dir/time-$1"
    if [ "$status" -gt 1 ]; then
        echo "$1 failed with status $status" >&2
        exit 1
    fi
    read -r real user sys < "$dir/time-$1"
    times[$1]+="$(awk -v r="$real" 'BEGIN { printf "%d", r * 1e6 }') "
    cpu[$1]+="$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%d", (u + s) * 1e6 }') "
}

# Runs every command of `order` in turn, `$1` rounds.
rounds() {
    for _ in $(seq "$1"); do
        for name in "${order[@]}"; do run "$name"; done
    done
}

# The median of command `$1`'s times, in microseconds; `$2` names the table (`times`, the
# default, or `cpu`).
median() {
    local -n table=${2:-times}
    echo "${table[$1]}" | tr ' ' '\n' | grep . | sort -n |
        awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
