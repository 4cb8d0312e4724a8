#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A colorizer's trade-off between faithful and vivid colour: PSNR against the truth, colourfulness
# as a share of the truth's, and the chroma error at edges, at five --vividness values, on a folder
# of held-out colour photos (each turned grey and colorized whole). One row per value. With
# `--mask LABELDIR` among the extra options (page label maps, make_samples --pages ... LABELDIR), also
# the paper tone error, the chroma of dark ink and the share of coloured marks coloured right.
#   tests/colorize_curve.sh MODEL IMAGES [BUILD_DIR] [THREADS] [EXTRA EVAL OPTIONS...]
set -euo pipefail
model=$1
images=$2
build=${3:-build}
threads=${4:-0}
shift $(( $# < 4 ? $# : 4 ))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pages=0
for a in "$@"; do [[ $a == --mask ]] && pages=1; done
if (( pages )); then
  echo "| vividness | PSNR dB | grey dB | colourfulness of truth | SSIM | edge chroma error | paper tone error | ink chroma | coloured marks right |"
  echo "|---|---|---|---|---|---|---|---|---|"
else
  echo "| vividness | PSNR dB | grey dB | colourfulness of truth | SSIM | edge chroma error |"
  echo "|---|---|---|---|---|---|"
fi
for v in 0 0.25 0.5 0.75 1; do
  "$build/apps/aekit" eval --model "$model" --images "$images" --vividness "$v" --threads "$threads" \
    --json "$tmp/e.json" "$@" >/dev/null
  python3 -c "
import json, sys
j = json.load(open(sys.argv[1]))
row = f\"| {sys.argv[2]} | {j['psnr']:.2f} | {j['input_psnr']:.2f} | {100 * j['colourfulness_ratio']:.0f}% | {j['ssim']:.4f} | {j['edge_chroma_error']:.2f} |\"
if 'paper_tone_error' in j:
    row += f\" {j['paper_tone_error']:.2f} | {j['ink_chroma']:.2f} | {100 * j['coloured_marks_right']:.0f}% |\"
print(row)
" "$tmp/e.json" "$v"
done
