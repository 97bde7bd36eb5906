#!/usr/bin/env bash
# Writes the clusters benches/dumps.rs measures: gen.py's (../shared/bench, beside the
# project) medium and large, and their Calico and Cilium flavours.
# Usage: benches/dumps.sh [SIZE...]
set -euo pipefail
cd "$(dirname "$0")/.."
gen=../shared/bench/gen.py
[ -f "$gen" ] || { echo "dumps.sh: $gen not found (it lives beside the project)" >&2; exit 2; }
for size in "${@:-medium large}"; do
  for s in $size; do
    python3 "$gen" --size "$s" --seed 1 --out "target/bench/$s" >/dev/null
    python3 benches/calico_cluster.py --in "target/bench/$s/cluster.yaml" --out "target/bench/$s-calico" --seed 1 >/dev/null
    python3 benches/cilium_cluster.py --in "target/bench/$s/cluster.yaml" --out "target/bench/$s-cilium" --seed 1 >/dev/null
    echo "target/bench/$s, target/bench/$s-calico and target/bench/$s-cilium written"
  done
done
