#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# cmake --install into a temporary prefix, then build and run a separate project that uses
# find_package(aekit) and links aekit::aekit. Args: BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
test -x "$tmp/prefix/bin/aekit"
test -f "$tmp/prefix/include/aekit/network.hpp"
cmake -S "$src/tests/consumer" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/consumer" >/dev/null
"$tmp/consumer/consumer" | grep -q "consumer ok"
"$tmp/prefix/bin/aekit" --version | grep -q "aekit"
echo "install and find_package(aekit): ok"
