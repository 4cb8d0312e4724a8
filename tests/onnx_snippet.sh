#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The ONNX snippet of docs/commands.md (export), run as written there: the photo model exported, the python block under
# "export" executed with OpenCV's dnn module on samples/noisy/scene.png cut to 384x256, and its output
# compared with `aekit denoise` of the same crop: within one 8-bit level everywhere. Exit 77 (CTest:
# skipped) where no python3 has OpenCV's module.
#   tests/onnx_snippet.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
py=""
for p in python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null && "$p" -c "import cv2, numpy" 2>/dev/null; then py=$p; break; fi
done
[ -n "$py" ] || { echo "skipped: no python3 with OpenCV's module (Debian: python3-opencv)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
"$build/apps/aekit" export photo --onnx photo.onnx >/dev/null
"$py" - "$src/docs/commands.md" "$src/samples/noisy/scene.png" <<'PY'
import re, sys, textwrap
import cv2, numpy as np
readme = open(sys.argv[1], encoding="utf-8").read()
block = re.search(r"```python\n(.*?)\n\s*```", readme, re.S).group(1)
img = cv2.imread(sys.argv[2])[:256, :384]
cv2.imwrite("crop.png", img)
scope = {"cv2": cv2, "np": np, "img": img}
exec(textwrap.dedent(block), scope)
rgb = np.clip(scope["rgb"], 0, 1)
out = (rgb * 255 + 0.5).astype(np.uint8).transpose(1, 2, 0)[:, :, ::-1]
cv2.imwrite("onnx.png", out)
PY
"$build/apps/aekit" denoise crop.png -o aekit.png --model photo -q
"$py" - <<'PY'
import sys
import cv2, numpy as np
a = cv2.imread("aekit.png").astype(int)
b = cv2.imread("onnx.png").astype(int)
d = np.abs(a - b)
print("the documented ONNX snippet against aekit denoise: max %d, mean %.2e levels" % (d.max(), d.mean()))
sys.exit(0 if d.max() <= 1 else 1)
PY
