#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Folders end to end with the default models: `aekit denoise` over 200 small photos of mixed sizes
# (the first 200 of TRAIN_DIR/imagenet700) and over N 12-megapixel JPEGs (4000x3000, made by
# make_samples --large), `aekit colorize` over the 200 small photos (it takes their lightness); each
# in megapixels per second end to end, beside `aekit bench --quick`'s inference rates in the same run
# (the bench-unet's, and the photo and colorize models' own networks: `--model`).
#   tests/bench_folders.sh TRAIN_DIR [BUILD_DIR] [THREADS] [N]      N: 12-MP photos (default 50)
set -euo pipefail
train=$1
build=${2:-build}
threads=${3:-0}
n=${4:-50}
aekit="$build/apps/aekit"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/measure.sh"
mkdir -p "$tmp/small" "$tmp/large"
find "$train/imagenet700" -maxdepth 1 -type f | sort | head -200 | while read -r f; do ln -s "$(realpath "$f")" "$tmp/small/"; done
"$build/samples/make_samples" --large 4000x3000 "$tmp/photo.png"
"$aekit" corrupt "$tmp/photo.png" -o "$tmp/photo.jpg" --noise gaussian:10 >/dev/null 2>&1
for i in $(seq -w 1 "$n"); do ln -s "$tmp/photo.jpg" "$tmp/large/$i.jpg"; done
# The bench-unet's rate and each default model's own network rate (1024x1024, as inference runs it).
rates=""
for m in photo colorize; do
  "$aekit" bench --quick --threads "$threads" --model "$m" --json "$tmp/bench.json" >/dev/null 2>&1
  rates+=$(python3 -c "import json,sys; j = json.load(open(sys.argv[1])); print('bench-unet %.2f MP/s, %s network %.2f MP/s; ' % (j['infer_f32']['mpix_per_s'], j['model']['name'], j['model']['mpix_per_s']))" "$tmp/bench.json")
done
echo "folders end to end, threads=$threads ($(nproc) cores), $(date -u +%F); aekit bench --quick: $rates"
measure "denoise, 200 small photos" - "$aekit" denoise "$tmp/small" -o "$tmp/out-small" --threads "$threads" -v
measure "denoise, $n 12-MP JPEGs" - "$aekit" denoise "$tmp/large" -o "$tmp/out-large" --threads "$threads" -v
measure "colorize, 200 small photos" - "$aekit" colorize "$tmp/small" -o "$tmp/col-small" --threads "$threads" -v
