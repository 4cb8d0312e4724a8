#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# README's results tables: the shipped denoisers on Set12, BSD68 and CBSD68 at sigma 15, 25, 50,
# float and 8-bit protocols, with OpenCV NLM on the same 8-bit noisy images (seed 0).
#   tests/eval_models.sh DATA_EVAL_DIR [BUILD_DIR] [THREADS]     DATA_EVAL_DIR: the eval/ folder of the data root
set -euo pipefail
data=$1
build=${2:-build}
threads=${3:-0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
figure() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(f\"{j$2:.2f}\")" "$tmp/e.json"; }
echo "| set | model | sigma | aekit float | aekit 8-bit | SSIM (float) | NLM 8-bit |"
echo "|---|---|---|---|---|---|---|"
for set in CBSD68 BSD68 Set12; do
  model=gray
  [ "$set" = CBSD68 ] && model=color
  for sigma in 15 25 50; do
    "$build/apps/aekit" eval --model "$model" --images "$data/$set" --noise "gaussian:$sigma" --threads "$threads" \
      --json "$tmp/e.json" >/dev/null
    f=$(figure "['psnr']"); s=$(python3 -c "import json; print(f\"{json.load(open('$tmp/e.json'))['ssim']:.4f}\")")
    "$build/apps/aekit" eval --model "$model" --images "$data/$set" --noise "gaussian:$sigma" --protocol 8bit \
      --baseline nlm --threads "$threads" --json "$tmp/e.json" >/dev/null
    e=$(figure "['psnr']"); n=$(figure "['nlm']['psnr']")
    echo "| $set | $model | $sigma | $f | $e | $s | $n |"
  done
done
