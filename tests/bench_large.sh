#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Speed and peak memory of denoising and colorizing a 24-megapixel photo with the default models.
# Prints seconds, seconds per megapixel and peak RSS.
#   tests/bench_large.sh [BUILD_DIR] [THREADS]
set -euo pipefail
build=${1:-build}
threads=${2:-0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/samples/make_samples" --large 6000x4000 "$tmp/photo.png"
"$build/apps/aekit" corrupt "$tmp/photo.png" -o "$tmp/noisy.png" --noise gaussian:15 >/dev/null 2>&1
. "$(dirname "$0")/measure.sh"
echo "24-megapixel (6000x4000) photo, threads=$threads ($(nproc) cores), $(date -u +%F)"
measure "denoise (default model)" 24 "$build/apps/aekit" denoise "$tmp/noisy.png" -o "$tmp/out.png" --threads "$threads"
measure "colorize (colorize model)" 24 "$build/apps/aekit" colorize "$tmp/noisy.png" -o "$tmp/col.png" --threads "$threads"
