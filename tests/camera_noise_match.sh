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
# RNI15's camera photos, in two kinds (the others are film grain, the monochrome grain of old photos,
# or white noise, uncorrelated at any distance):
# - colour noise: chroma at least 30% of the noise's variance and correlated at 1 px;
# - luma grain: noise reduction removed most chroma noise (chroma 8-30% of the variance) and left
#   luma grain correlated at 1 px (at least 0.5).
colour=() grain=()
for f in "$data"/eval/RNI15/*; do
  read -r share chroma1 luma1 < <("$aekit" noise --json "$f" |
    sed -E 's/.*"chroma_correlation":\[([-0-9.e]+),.*"chroma_share":([-0-9.e]+).*"luma_correlation":\[([-0-9.e]+),.*/\2 \1 \3/')
  awk -v s="$share" -v c="$chroma1" 'BEGIN { exit !(s >= 0.3 && c >= 0.1) }' && colour+=("$f")
  awk -v s="$share" -v l="$luma1" 'BEGIN { exit !(s >= 0.08 && s < 0.3 && l >= 0.5) }' && grain+=("$f")
done
echo "real camera noise, colour: ${#colour[@]} photos of RNI15: $(for f in "${colour[@]}"; do basename "$f"; done | tr '\n' ' ')"
"$aekit" noise "${colour[@]}" | tail -n 3
echo "real camera noise, luma grain: ${#grain[@]} photos of RNI15: $(for f in "${grain[@]}"; do basename "$f"; done | tr '\n' ' ')"
"$aekit" noise "${grain[@]}" | tail -n 3
# 24 clean PNG photos of the training set, corrupted by the simulated camera, measured as a whole and
# split the same way (by the chroma share of each image's exact noise).
mkdir -p "$tmp/clean"
find "$data/train/bsds432" -name '*.png' | sort | head -n 24 | while read -r f; do ln -s "$(realpath "$f")" "$tmp/clean/"; done
"$aekit" corrupt "$tmp/clean" -o "$tmp/noisy" --noise "$spec" --seed 3 >/dev/null
echo "simulated ($spec, seed 3) on 24 training photos:"
"$aekit" noise "$tmp/noisy" --reference "$tmp/clean" | tail -n 3
mkdir -p "$tmp/split/colour" "$tmp/split/grain"
"$aekit" noise --json "$tmp/noisy" --reference "$tmp/clean" |
  sed -E 's/.*"chroma_share":([-0-9.e]+).*"file":"([^"]+)".*/\1 \2/' | while read -r share file; do
    kind=$(awk -v s="$share" 'BEGIN { print (s >= 0.3 ? "colour" : "grain") }')
    ln -s "$(realpath "$file")" "$tmp/split/$kind/"
  done
for kind in colour grain; do
  echo "simulated, $kind ($(ls "$tmp/split/$kind" | wc -l) images):"
  "$aekit" noise "$tmp/split/$kind" --reference "$tmp/clean" | tail -n 3
done
