#!/bin/bash
# Instructions per flow of dpflow's BenchmarkParse, counted by callgrind:
# deterministic where wall-clock time on a shared machine is not. The
# exclusive counts of dpflow's functions and of the runtime helpers they call
# are summed for two iteration counts and subtracted, so that start-up work
# cancels out. -v also prints the costliest functions.
# Needs valgrind (Debian package valgrind); takes about a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install valgrind" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/bench.test" ./dpflow
run() {
	(cd dpflow && GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off GOGC=off valgrind --tool=callgrind \
		--callgrind-out-file="$tmp/cg.$1.out" "$tmp/bench.test" \
		-test.run '^$' -test.bench 'Parse$' -test.benchtime "${1}x" >/dev/null 2>"$tmp/cg.err") ||
		{ tail "$tmp/cg.err" >&2; exit 1; }
	callgrind_annotate --auto=no --threshold=100 "$tmp/cg.$1.out" 2>/dev/null |
		grep -E 'ovsoffload/dpflow\.|ovsoffload/internal/textsafe\.|memeqbody|memmove|memequal|typedslicecopy|strconv|memclr|bulkBarrier|wbBuf|cmpstring|HasPrefix' >"$tmp/cg.$1.txt"
	awk '{gsub(",","",$1); s+=$1} END {printf "%d\n", s}' "$tmp/cg.$1.txt"
}
a=$(run 6)
b=$(run 30006)
echo "instr/flow $(((b - a) / 30000))"
if [ "${1:-}" = -v ]; then head -25 "$tmp/cg.30006.txt"; fi
