#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The camera noise model against real camera noise, measured the same way (aekit noise): the mean
# figures of RNI15's colour-noise photos (no clean reference: their flattest blocks) beside those of
# the simulated camera on clean training photos (exact noise: corrupted minus clean, in the clean
# photo's flattest blocks). docs/camera-noise.md shows the result and how the photos were chosen.
#   tests/camera_noise_match.sh DATA_DIR [BUILD_DIR] [SPEC]
# DATA_DIR holds eval/RNI15 and train/bsds432 (the public sets models/README.md names).
set -euo pipefail
data=${1:?usage: tests/camera_noise_match.sh DATA_DIR [BUILD_DIR] [SPEC]}
build=${2:-build}
spec=${3:-camera:100-12800}
aekit="$build/apps/aekit"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# RNI15's photos with colour noise that is not white (chroma at least 30% of the noise's variance and
# correlated at 1 px): the others are film grain, monochrome grain of old photos, or white noise.
real=()
for f in "$data"/eval/RNI15/*; do
  read -r share chroma1 < <("$aekit" noise --json "$f" | sed -E 's/.*"chroma_correlation":\[([-0-9.e]+),.*"chroma_share":([-0-9.e]+).*/\2 \1/')
  awk -v s="$share" -v c="$chroma1" 'BEGIN { exit !(s >= 0.3 && c >= 0.1) }' && real+=("$f")
done
echo "real camera noise: ${#real[@]} photos of RNI15: $(for f in "${real[@]}"; do basename "$f"; done | tr '\n' ' ')"
"$aekit" noise "${real[@]}" | tail -n 3
# 24 clean PNG photos of the training set, corrupted by the simulated camera.
mkdir -p "$tmp/clean"
find "$data/train/bsds432" -name '*.png' | sort | head -n 24 | while read -r f; do ln -s "$(realpath "$f")" "$tmp/clean/"; done
"$aekit" corrupt "$tmp/clean" -o "$tmp/noisy" --noise "$spec" --seed 3 >/dev/null
echo "simulated ($spec, seed 3) on 24 training photos:"
"$aekit" noise "$tmp/noisy" --reference "$tmp/clean" | tail -n 3
