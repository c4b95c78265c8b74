#!/usr/bin/env bash
# ratios.sh measures the figures of SPEC §13 (issue #17) as ratios to their
# baselines, each pair in the same process or in alternating rounds, so that
# a shared machine's load falls on both sides alike.
#
#   scripts/ratios.sh [ROUNDS] [BASE-REV]
#
# It builds the test binaries of the working tree (and of BASE-REV, in a
# temporary worktree, when given), then runs ROUNDS rounds (default 5); in
# each round every binary runs, in turn:
#   mem    BenchmarkImportVsFair1000      ratio-cpu, ratio-wall (memory store)
#   scale  BenchmarkImportInviteScale     1 000 rows (30x) and 100 000 (3x)
#   pg     BenchmarkPostgresImportInvite1000 (synchronous_commit=on) and
#          BenchmarkCopyOfWrites1000, 3x each
#   conc   BenchmarkContentionRatio       one import alone, then 8 at once
# The PostgreSQL ones need the server of the tests (127.0.0.1:5432, database
# test). Raw output goes to $OUT (default /tmp/ratios): NAME-KIND.txt, for
# benchstat (go run golang.org/x/perf/cmd/benchstat@latest).
set -euo pipefail
rounds=${1:-5}
base=${2:-}
out=${OUT:-/tmp/ratios}
root=$(git rev-parse --show-toplevel)
mkdir -p "$out"

build() { # build NAME DIR
	(cd "$2" && go test -c -o "$out/$1-root.test" .)
	(cd "$2/store/postgres" && go test -c -o "$out/$1-pg.test" .)
}

names=(head)
build head "$root"
if [[ -n $base ]]; then
	wt=$(mktemp -d)
	git -C "$root" worktree add --detach "$wt" "$base" >/dev/null
	trap 'git -C "$root" worktree remove --force "$wt"' EXIT
	# The base may predate the ratio benchmarks; those it lacks report nothing.
	build base "$wt"
	names=(base head)
fi

for r in $(seq "$rounds"); do
	for n in "${names[@]}"; do
		echo "round $r: $n (load $(cut -d' ' -f1 /proc/loadavg))" >&2
		"$out/$n-root.test" -test.run '^$' -test.bench 'ImportVsFair1000$' -test.benchtime 6x >>"$out/$n-mem.txt"
		"$out/$n-root.test" -test.run '^$' -test.bench 'ImportInviteScale/1000$' -test.benchtime 30x -test.benchmem >>"$out/$n-scale.txt"
		"$out/$n-root.test" -test.run '^$' -test.bench 'ImportInviteScale/100000$' -test.benchtime 3x -test.benchmem >>"$out/$n-scale.txt"
		CI=true "$out/$n-pg.test" -test.run '^$' -test.bench 'PostgresImportInvite1000/synchronous_commit=on$|CopyOfWrites1000$' \
			-test.benchtime 3x -test.benchmem >>"$out/$n-pg.txt"
		CI=true "$out/$n-pg.test" -test.run '^$' -test.bench 'ContentionRatio$' -test.benchtime 1x -test.timeout 30m >>"$out/$n-conc.txt"
	done
done
echo "raw output in $out" >&2
