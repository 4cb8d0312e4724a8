#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz/ and runs each from the seed
# corpus in tests/fuzz/corpus/TARGET, for SECONDS or RUNS executions, whichever comes first.
# Prints each target's executions, rate and outcome; exits non-zero on any crash, leak or timeout.
#   tests/fuzz/run_fuzzers.sh [SECONDS] [RUNS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
runs=${2:--1}
shift $(( $# > 2 ? 2 : $# ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(model_file model_arch arch_json noise_spec image cli_options)
for p in clang libclang-rt-14-dev libomp-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang libclang-rt-14-dev libomp-14-dev
    break
  }
done
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAEKIT_FUZZ=ON \
  -DAEKIT_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j "$(nproc)" --target make_seeds $(printf 'fuzz_%s ' "${targets[@]}") >/dev/null
status=0
for t in "${targets[@]}"; do
  work=build-fuzz/corpus/$t
  mkdir -p "$work" "build-fuzz/findings/$t"
  log=build-fuzz/fuzz_$t.log
  # One thread for OpenMP and oneDNN; leaks are findings (ASan's leak checker is on by default).
  if OMP_NUM_THREADS=1 ./build-fuzz/tests/fuzz/fuzz_$t "$work" "tests/fuzz/corpus/$t" -max_total_time="$seconds" \
      -runs="$runs" -timeout=10 -rss_limit_mb=2560 -print_final_stats=1 \
      -artifact_prefix="build-fuzz/findings/$t/" >"$log" 2>&1; then
    outcome=clean
  else
    outcome="FAILED (see $log and build-fuzz/findings/$t/)"
    status=1
  fi
  execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
  secs=$(awk '/stat::total_time_in_seconds|Done [0-9]+ runs in/ {v=$NF} /Done [0-9]+ runs in/ {v=$(NF-1)} END {print v}' "$log")
  rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")
  printf '%-12s %12s executions  %8s exec/s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$outcome"
done
exit $status
