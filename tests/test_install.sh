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
# pkg-config: the same consumer built with the flags aekit.pc gives, no CMake.
pc=$(dirname "$(find "$tmp/prefix" -name aekit.pc)")
flags=$(PKG_CONFIG_PATH="$pc" pkg-config --cflags --libs --static aekit)
g++ -std=c++20 "$src/tests/consumer/main.cpp" -o "$tmp/consumer-pc" $flags
"$tmp/consumer-pc" | grep -q "consumer ok"
# The manual page names every command `aekit --help` lists; the completion offers them and a
# command's options.
man=$tmp/prefix/share/man/man1/aekit.1
test -f "$man"
for command in $("$tmp/prefix/bin/aekit" --help | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 { print $1 }'); do
  grep -q "^\.B $command" "$man" || { echo "manual page lacks command $command"; exit 1; }
done
completion=$tmp/prefix/share/bash-completion/completions/aekit
offered=$(PATH="$tmp/prefix/bin:$PATH" bash -c 'source "$1"; COMP_WORDS=(aekit den); COMP_CWORD=1; _aekit; echo "${COMPREPLY[@]}"' _ "$completion")
test "$offered" = denoise
offered=$(PATH="$tmp/prefix/bin:$PATH" bash -c 'source "$1"; COMP_WORDS=(aekit denoise --max-m); COMP_CWORD=2; _aekit; echo "${COMPREPLY[@]}"' _ "$completion")
test "$offered" = --max-memory
echo "install, find_package(aekit), pkg-config, manual page and completion: ok"
