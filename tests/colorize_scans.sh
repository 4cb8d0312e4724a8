#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Colorizers on real colour scans (docs/evaluation.md, "Real colour scans"): each scan of HELD turned
# grey, colorized, compared with the scan. One row per model (and per extra option set), beside the
# grey page and the floor that needs no network (the median paper colour of TRAIN's scans). Rows:
#   tests/colorize_scans.sh HELD TRAIN [BUILD_DIR] [THREADS] -- MODEL [OPTIONS...] -- MODEL [OPTIONS...] ...
set -euo pipefail
held=$1
train=$2
build=${3:-build}
threads=${4:-0}
shift $(( $# < 4 ? $# : 4 ))
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| model | options | PSNR dB | paper tone error | paper spread | ink error (neutral) | blue ink right | colourfulness of truth |"
echo "|---|---|---|---|---|---|---|---|"
row() {  # JSON file, model, options, which ("scan" or "floor")
  python3 - "$1" "$2" "$3" "$4" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
which = sys.argv[4]
s = j["scan"] if which == "scan" else j["floor"]["scan"]
psnr = j["psnr"] if which == "scan" else j["floor"]["psnr"]
blue = "%.0f%% of %d px" % (100.0 * s["blue_ink_right"] / s["blue_ink_pixels"], s["blue_ink_pixels"]) if s["blue_ink_pixels"] else "-"
colour = "%.0f%%" % (100 * j["colourfulness_ratio"]) if which == "scan" else "-"
print("| %s | %s | %.2f | %.2f | %.2fx | %.2f (%.2f) | %s | %s |" % (sys.argv[2], sys.argv[3], psnr, s["paper_tone_error"],
      s["paper_spread_ratio"], s["ink_error"], s["neutral_ink_error"], blue, colour))
if which == "floor":
    print("| grey page | | %.2f | | | | | |" % j["input_psnr"])
PY
}
first=1
while [ $# -gt 0 ]; do
  [ "$1" == "--" ] && shift
  model=$1
  shift
  opts=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
  "$build/apps/aekit" eval --model "$model" --images "$held" --scans --floor-from "$train" --threads "$threads" \
    --json "$tmp/e.json" "${opts[@]}" >/dev/null
  if (( first )); then row "$tmp/e.json" "floor (median paper a*b*)" "" floor; first=0; fi
  row "$tmp/e.json" "$(basename "$model")" "${opts[*]:-}" scan
done
