#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# aekit bench against its PyTorch peer on the same machine, same threads, in one run:
# PyTorch's default configuration (plain glibc malloc, NCHW) and its best one here (channels_last,
# jemalloc with transparent huge pages). Installs python3-torch and libjemalloc2 from Debian.
#   tests/peer/run_peer.sh [BUILD_DIR] [THREADS]
set -euo pipefail
build=${1:-build}
threads=${2:-$(nproc)}
here=$(cd "$(dirname "$0")" && pwd)
for p in python3-torch libjemalloc2; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-torch libjemalloc2
    break
  }
done
python=/usr/bin/python3  # Debian's, which sees python3-torch (a pyenv python3 on PATH would not)
jemalloc=$(ls /usr/lib/*/libjemalloc.so.2 | head -1)
echo "machine: $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), $(nproc) cores, threads $threads"
"$build/apps/aekit" bench --threads "$threads" --json /tmp/aekit-bench.json
"$python" "$here/bench_unet.py" --threads "$threads" --json /tmp/peer-default.json
LD_PRELOAD="$jemalloc" MALLOC_CONF=thp:always,metadata_thp:auto,dirty_decay_ms:-1,muzzy_decay_ms:-1 \
  "$python" "$here/bench_unet.py" --threads "$threads" --channels-last --json /tmp/peer-best.json
"$python" - <<'PY'
import json
a = json.load(open("/tmp/aekit-bench.json"))
for name in ("best", "default"):
    p = json.load(open(f"/tmp/peer-{name}.json"))
    print(f"aekit f32 / pytorch f32 ({name}): training {a['train']['patches_per_s'] / p['train']['patches_per_s']:.2f}x, "
          f"inference {a['infer_f32']['mpix_per_s'] / p['infer_f32']['mpix_per_s']:.2f}x")
    if a.get("bf16"):
        print(f"aekit bf16 / pytorch f32 ({name}): training "
              f"{a['train_bf16']['patches_per_s'] / p['train']['patches_per_s']:.2f}x, "
              f"inference {a['infer_bf16']['mpix_per_s'] / p['infer_f32']['mpix_per_s']:.2f}x")
PY
