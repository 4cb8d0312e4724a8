#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Speed and peak memory of denoising and colorizing a 24-megapixel photo with the default models.
# Prints seconds, seconds per megapixel and peak RSS (from /usr/bin/time or /proc).
#   tests/bench_large.sh [BUILD_DIR] [THREADS]
set -euo pipefail
build=${1:-build}
threads=${2:-0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/samples/make_samples" --large 6000x4000 "$tmp/photo.png"
"$build/apps/aekit" corrupt "$tmp/photo.png" -o "$tmp/noisy.png" --noise gaussian:15 >/dev/null 2>&1
measure() {  # label, command...
  local label=$1; shift
  local start end
  start=$(date +%s.%N)
  "$@" 2>/dev/null &
  local pid=$! peak=0 rss
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss
    sleep 0.2
  done
  wait "$pid"
  end=$(date +%s.%N)
  awk -v l="$label" -v s="$start" -v e="$end" -v p="$peak" \
    'BEGIN { t = e - s; printf "%-28s %6.1f s  %5.2f s/MP  peak RSS %5.0f MB\n", l, t, t / 24.0, p / 1024 }'
}
echo "24-megapixel (6000x4000) photo, threads=$threads ($(nproc) cores), $(date -u +%F)"
measure "denoise (color model)" "$build/apps/aekit" denoise "$tmp/noisy.png" -o "$tmp/out.png" --threads "$threads"
measure "colorize (colorize model)" "$build/apps/aekit" colorize "$tmp/noisy.png" -o "$tmp/col.png" --threads "$threads"
