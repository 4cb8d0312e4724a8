#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Data-parallel scaling on this machine: the shipped colour denoiser's architecture trained with the
# same global batch as 1 rank x 1 thread, 1 rank x 2 threads and 2 ranks x 1 thread (mpirun),
# alternating the three in each round. Prints patches/s per run (after the first steps, which build
# the primitives) and, for 2 ranks, the allreduce's time per step and share of the run.
#   tests/mpi_scaling.sh IMAGE_DIR [BUILD_DIR] [ROUNDS] [BATCH] [PATCH]
# Each run is 100 steps; its rate is that of steps 51-100 (from the training log's wall-clock column).
set -euo pipefail
data=$1
build=${2:-build}
rounds=${3:-3}
batch=${4:-16}
patch=${5:-64}
steps=100
aekit="$build/apps/aekit"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# 24 images of the folder (decoding all of a large folder would dominate a short run).
mkdir "$tmp/data"
find "$data" -maxdepth 1 -type f \( -name '*.png' -o -name '*.jpg' \) | sort | head -24 |
  while read -r f; do ln -s "$(realpath "$f")" "$tmp/data/"; done
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
common=(train --task denoise --data "$tmp/data" --steps "$steps" --batch "$batch" --patch "$patch"
        --channels 32,48,64,80 --code 96 --decoder 32,64,96,112 --input-skip --val-every 100000 --val-images 2
        --seed 1 --loader-threads 1)
run() {  # label, ranks, threads per rank
  local label=$1 ranks=$2 threads=$3
  local launch=()
  [ "$ranks" -gt 1 ] && launch=(mpirun --oversubscribe -np "$ranks")
  rm -f "$tmp"/m.*
  "${launch[@]}" "$aekit" "${common[@]}" --threads "$threads" --out "$tmp/m.safetensors" > "$tmp/log" 2>&1 ||
    { cat "$tmp/log"; exit 1; }
  local rate
  rate=$(awk -F, -v b="$batch" '$1 == 50 && !a { a = $6 } $1 == 100 && !z { z = $6 } END { print 50 * b / (z - a) }' \
    "$tmp/m.safetensors.csv")
  printf '%-22s %7.1f patches/s  %s\n' "$label" "$rate" "$(grep -o 'allreduce.*' "$tmp/log" || true)"
}
echo "global batch $batch of ${patch}x${patch}, steps 51-100, $(nproc) cores, $(date -u +%F)"
for r in $(seq "$rounds"); do
  run "1 rank x 1 thread" 1 1
  run "1 rank x 2 threads" 1 2
  run "2 ranks x 1 thread" 2 1
done
