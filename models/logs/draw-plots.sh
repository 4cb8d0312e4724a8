#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Draws each training log here as `aekit train` drew it while it ran (LOG.plot.png beside LOG.csv;
# the plots are not kept in the repository). Run from the repository root after building:
#   models/logs/draw-plots.sh [AEKIT]     (AEKIT: the program, build/apps/aekit by default)
set -euo pipefail
here=$(dirname "$0")
aekit=$(realpath "${1:-$here/../../build/apps/aekit}")
cd "$here"
for log in *.csv; do
  case $log in
    colorize*) "$aekit" plot "$log" --val-label "PSNR (colour)" ;;
    *) "$aekit" plot "$log" ;;
  esac
done
