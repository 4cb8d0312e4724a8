#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# README's real-noise table: CC15's real noisy photos against their mean images, in colour and in
# grey, for the default photo model, the Gaussian models and OpenCV NLM (h from the noise level
# estimated on each image, and at fixed h); then the photo model on clean photos (CBSD68, no noise:
# PSNR of the output against its own input) and on CBSD68 at sigma 25 (float protocol).
#   tests/eval_real_noise.sh DATA_EVAL_DIR [BUILD_DIR] [THREADS]     DATA_EVAL_DIR: the eval/ folder of the data root
set -euo pipefail
data=$1
build=${2:-build}
threads=${3:-0}
aekit="$build/apps/aekit"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
get() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(f\"{j$1:.${2:-2}f}\")" "$tmp/e.json"; }
cc=(--images "$data/CC15/noisy" --target "$data/CC15/mean" --threads "$threads" --json "$tmp/e.json")
echo "| CC15 | colour PSNR | colour SSIM | grey PSNR | grey SSIM |"
echo "|---|---|---|---|---|"
"$aekit" eval --model photo "${cc[@]}" --baseline nlm >/dev/null
row_in="| the noisy photos | $(get "['input_psnr']") | |"
row_photo="| aekit \`photo\` (the colour default) | **$(get "['psnr']")** | $(get "['ssim']" 4) |"
row_nlm="| OpenCV NLM, h = 0.5 x estimated sigma | $(get "['nlm']['psnr']") | $(get "['nlm']['ssim']" 4) |"
"$aekit" eval --model photo "${cc[@]}" --baseline nlm --gray >/dev/null
row_in="$row_in $(get "['input_psnr']") | |"
row_photo="$row_photo **$(get "['psnr']")** | $(get "['ssim']" 4) |"
row_nlm="$row_nlm $(get "['nlm']['psnr']") | $(get "['nlm']['ssim']" 4) |"
"$aekit" eval --model photo-gray "${cc[@]}" >/dev/null
row_pg="| aekit \`photo-gray\` (the grey default) | $(get "['psnr']") | $(get "['ssim']" 4) |"
"$aekit" eval --model photo-gray "${cc[@]}" --gray >/dev/null
row_pg="$row_pg **$(get "['psnr']")** | $(get "['ssim']" 4) |"
"$aekit" eval --model color "${cc[@]}" >/dev/null
row_color="| aekit \`color\` (Gaussian) | $(get "['psnr']") | $(get "['ssim']" 4) |"
"$aekit" eval --model gray "${cc[@]}" --gray >/dev/null
row_color="$row_color $(get "['psnr']") (\`gray\`) | $(get "['ssim']" 4) |"
printf '%s\n' "$row_in" "$row_photo" "$row_pg" "$row_color" "$row_nlm"
for h in 4 6 9; do
  "$aekit" eval --model photo "${cc[@]}" --baseline nlm --nlm-h "$h" >/dev/null
  r="| OpenCV NLM, h = $h | $(get "['nlm']['psnr']") | $(get "['nlm']['ssim']" 4) |"
  "$aekit" eval --model photo "${cc[@]}" --baseline nlm --nlm-h "$h" --gray >/dev/null
  echo "$r $(get "['nlm']['psnr']") | $(get "['nlm']['ssim']" 4) |"
done
"$aekit" eval --model photo --images "$data/CBSD68" --noise none --threads "$threads" --json "$tmp/e.json" >/dev/null
echo "photo model on clean CBSD68 (no noise): output against input $(get "['psnr']") dB, SSIM $(get "['ssim']" 4)"
"$aekit" eval --model photo --images "$data/CBSD68" --noise gaussian:25 --threads "$threads" --json "$tmp/e.json" >/dev/null
echo "photo model on CBSD68, sigma 25, float protocol: $(get "['psnr']") dB, SSIM $(get "['ssim']" 4)"
