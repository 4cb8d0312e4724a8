#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The anomaly benchmark: woven textures the project generates (make_samples --fabric), an
# undercomplete autoencoder trained on normal ones only, then ROC-AUC of `aekit anomaly` scores on
# held-out normal and defective textures (scratches, stains, holes), for each score and aggregate;
# and `aekit embed`'s reconstruction error beside PCA's at an equal code size (PCA fitted on 2100
# other normal textures).
#   tests/anomaly_bench.sh [BUILD_DIR] [STEPS] [THREADS] [KEEP_DIR]
set -euo pipefail
build=${1:-build}
steps=${2:-3000}
threads=${3:-0}
dir=${4:-$(mktemp -d)}
mkdir -p "$dir"
aekit="$build/apps/aekit"
"$build/samples/make_samples" --fabric "$dir/train" 200 1
"$build/samples/make_samples" --fabric "$dir/test" 50 2
model="$dir/fabric.safetensors"
if [ ! -f "$model" ]; then
  "$aekit" train --task reconstruct --gray --data "$dir/train/normal" --out "$model" --steps "$steps" --batch 16 \
    --patch 64 --channels 16,32,48 --code 8 --val-every 500 --val-images 8 --threads "$threads" --seed 1 >"$dir/train.log" 2>&1
fi
tail -n 1 "$dir/train.log" || true
# ROC-AUC from a scores CSV: inputs under .../defect/ are the anomalous ones (Mann-Whitney U).
auc() {
  awk -F, 'NR > 1 { if ($1 ~ /\/defect\//) d[++nd] = $2; else n[++nn] = $2 }
    END { w = 0; for (i = 1; i <= nd; i++) for (j = 1; j <= nn; j++) w += (d[i] > n[j]) ? 1 : (d[i] == n[j] ? 0.5 : 0);
          printf "%.3f", w / (nd * nn) }' "$1"
}
echo "| score | aggregate | ROC-AUC | flagged defective (of 50) | flagged normal (of 50) |"
echo "|---|---|---|---|---|"
for score in mse ssim; do
  for agg in peak mean; do
    out="$dir/anomaly-$score-$agg"
    "$aekit" anomaly --model "$model" "$dir/test" -o "$out" --score "$score" --aggregate "$agg" \
      --calibrate "$dir/train/normal" --percentile 99 --overwrite --threads "$threads" >/dev/null 2>&1
    fd=$(awk -F, 'NR > 1 && $1 ~ /\/defect\// && $4 == 1' "$out/scores.csv" | wc -l)
    fn=$(awk -F, 'NR > 1 && $1 !~ /\/defect\// && $4 == 1' "$out/scores.csv" | wc -l)
    echo "| $score | $agg | $(auc "$out/scores.csv") | $fd | $fn |"
  done
done
# PCA at the code's own size (8 x 16 x 16 = 2048 components) needs more fitting images than that.
"$build/samples/make_samples" --fabric "$dir/pcafit" 2100 3
"$aekit" embed --model "$model" "$dir/test/normal" "$dir/test/defect" -o "$dir/codes.csv" --size 128 \
  --plot "$dir/codes.png" --compare-pca "$dir/pcafit/normal" --threads "$threads" 2>/dev/null
