#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Remakes every sample image from code: run from the repository root after a build.
#   samples/remake.sh [BUILD_DIR]   (default build)
set -euo pipefail
build=${1:-build}
mkdir -p samples/clean samples/gray samples/manifests
"$build/samples/make_samples" samples
"$build/apps/aekit" corrupt samples/clean -o samples/noisy --noise gaussian:25 --seed 1 --overwrite \
  --manifest samples/manifests/noisy.csv
"$build/apps/aekit" corrupt samples/gray/document.png -o samples/noisy/document-gray.png --noise gaussian:15 --seed 1 \
  --overwrite --manifest samples/manifests/noisy-document-gray.csv
