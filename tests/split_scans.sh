#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Splits a folder of scanned pages by document, never by page, into DEST/train and DEST/val (links to
# the scans, nothing copied). A page's document is its file stem before the last "-N" (will_0005-0.jpg
# and will_0005-1.jpg are one will). The held-out documents are the COUNT whose names have the
# smallest SHA-256: a rule fixed before any training, independent of the order or the other files.
#   tests/split_scans.sh SCANS DEST [COUNT=14]
set -euo pipefail
src=${1:?usage: split_scans.sh SCANS DEST [COUNT]}
dest=${2:?usage: split_scans.sh SCANS DEST [COUNT]}
count=${3:-14}
src=$(cd "$src" && pwd)
[ -e "$dest/train" ] || [ -e "$dest/val" ] && { echo "split_scans.sh: $dest/train or $dest/val exists; choose a new DEST" >&2; exit 2; }
mkdir -p "$dest/train" "$dest/val"
held=$(find "$src" -maxdepth 1 -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' -o -iname '*.tif' \) -printf '%f\n' |
       sed -E 's/-[0-9]+\.[A-Za-z]+$//' | sort -u |
       while read -r doc; do printf '%s %s\n' "$(printf '%s' "$doc" | sha256sum | cut -c1-64)" "$doc"; done |
       sort | head -n "$count" | cut -d' ' -f2)
n_val=0 n_train=0
for f in "$src"/*; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  doc=$(printf '%s' "$name" | sed -E 's/-[0-9]+\.[A-Za-z]+$//')
  if grep -qxF "$doc" <<<"$held"; then ln -s "$f" "$dest/val/$name"; n_val=$((n_val + 1))
  else ln -s "$f" "$dest/train/$name"; n_train=$((n_train + 1)); fi
done
echo "held out $(wc -l <<<"$held") documents ($n_val pages) in $dest/val; $n_train pages in $dest/train"
printf '%s\n' "$held"
