#!/usr/bin/env bash
# The scale targets (issue "Scale to the largest cluster Kubernetes supports"): each command
# of the table on clusters shaped like real dumps, wall time and peak RSS of the whole
# process (/usr/bin/time), best of N runs. Prints a Markdown table.
#
# Clusters: gen.py (../shared/bench, beside the project) large, xl and max, bare pods, seed
# 1, and max with Deployments and ReplicaSet ownerReferences (max-owners), written to
# target/bench once. Usage: benches/scale.sh [RUNS]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
gen=../shared/bench/gen.py
[ -f "$gen" ] || { echo "scale.sh: $gen not found (it lives beside the project)" >&2; exit 2; }
for s in large xl max; do
  [ -f "target/bench/$s/cluster.yaml" ] || python3 "$gen" --size "$s" --seed 1 --out "target/bench/$s" >/dev/null
done
[ -f target/bench/max-owners/cluster.yaml ] ||
  python3 "$gen" --size max --seed 1 --owner-refs --deployments 2000 --out target/bench/max-owners >/dev/null
cargo build --release -q
bin=target/release/kubectl-netpol

# The first pod of a cluster, as namespace/name.
first_pod() {
  awk '/^kind: Pod$/ {p=1} p && /^  name: / {n=$2} p && /^  namespace: / {print $2 "/" n; exit}' "$1/cluster.yaml"
}

# best-of-N "seconds KB" of a command, output discarded.
measure() {
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1
  done | sort -n | head -1
}

echo "| cluster | command | time | peak memory |"
echo "|---|---|---|---|"
row() {
  local cluster=$1 label=$2; shift 2
  read -r secs kb < <(measure "$@")
  printf '| %s | `%s` | %s s | %s MB |\n' "$cluster" "$label" "$secs" "$((kb / 1024))"
}
row large "matrix -o json --group-by pod" $bin matrix -o json --group-by pod target/bench/large
row large "check" $bin check target/bench/large
row xl "matrix -o json" $bin matrix -o json target/bench/xl
row xl "check" $bin check target/bench/xl
row xl "report" $bin report target/bench/xl --output-file /dev/null
pod=$(first_pod target/bench/max)
row max "can-reach" $bin can-reach "$pod" "$pod" target/bench/max -q
pod=$(first_pod target/bench/max-owners)
row max-owners "can-reach" $bin can-reach "$pod" "$pod" target/bench/max-owners -q
# report refuses a matrix of more classes than a page can draw (exit 2, nothing written).
row max "report (refused: 37,990 classes)" $bin report target/bench/max --output-file /dev/null
row max "matrix -o json" $bin matrix -o json target/bench/max
row max "check" $bin check target/bench/max
