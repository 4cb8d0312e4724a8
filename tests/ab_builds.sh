#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Two builds of aekit side by side on the same jobs, alternated round by round (old first in odd
# rounds, new first in even ones) so that a noisy machine hurts both alike: a 6-MP photo denoised at the default budget and under a 400-MB ceiling
# (tiled: the memory plan at work), a folder of photos of mixed sizes denoised (one plan per image)
# and colorized. Prints each run (wall time, peak RSS), then per build and job the fastest, median
# and slowest time, and whether the outputs are byte-identical.
#   tests/ab_builds.sh OLD_BUILD NEW_BUILD PHOTO_DIR [ROUNDS] [THREADS]
set -euo pipefail
old=$1
new=$2
photos=$3
rounds=${4:-3}
threads=${5:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/measure.sh"
"$new/samples/make_samples" --large 3000x2000 "$tmp/photo.png"
echo "A/B: $old against $new, $rounds rounds, threads=$threads ($(nproc) cores), $(date -u +%F)"
for r in $(seq 1 "$rounds"); do
  order="old new"
  [ $((r % 2)) -eq 0 ] && order="new old"  # ABBA: neither build always runs first
  for side in $order; do
    b=${!side}
    o="$tmp/$side"
    rm -rf "$o"
    mkdir -p "$o"
    measure "$side default 6 MP" 6 "$b/apps/aekit" denoise "$tmp/photo.png" -o "$o/default.png" --threads "$threads" -q
    measure "$side 6 MP at --max-memory 400" 6 "$b/apps/aekit" denoise "$tmp/photo.png" -o "$o/ceiling.png" --threads "$threads" --max-memory 400 -q
    measure "$side denoise folder" - "$b/apps/aekit" denoise "$photos" -o "$o/denoised" --threads "$threads" -v
    measure "$side colorize folder" - "$b/apps/aekit" colorize "$photos" -o "$o/colorized" --threads "$threads" -v
  done
  if diff -r -q "$tmp/old" "$tmp/new" >/dev/null; then echo "round $r: outputs byte-identical"; else echo "round $r: OUTPUTS DIFFER"; fi
done | tee "$tmp/log"
echo "per build and job: fastest / median / slowest wall time (s)"
awk '{ label = substr($0, 1, 36); sub(/ +$/, "", label); split(substr($0, 37), f, " "); if (f[2] == "s") print label "\t" f[1] }' \
  "$tmp/log" | sort | awk -F'\t' '
  { n[$1]++; v[$1, n[$1]] = $2 }
  END { for (k in n) { m = n[k]; for (i = 1; i <= m; ++i) a[i] = v[k, i];
          for (i = 1; i <= m; ++i) for (j = i + 1; j <= m; ++j) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
          printf "  %-36s %6.1f / %6.1f / %6.1f\n", k, a[1], a[int((m + 1) / 2)], a[m] } }' | sort
