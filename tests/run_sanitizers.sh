#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite under AddressSanitizer and UndefinedBehaviorSanitizer: builds aekit with
# -DAEKIT_SANITIZE=ON in build-asan/ and runs CTest there. Exits non-zero on any finding.
#   tests/run_sanitizers.sh [JOBS]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-$(nproc)}
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAEKIT_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs"
# Leaks are findings too; UBSan stops at the first report (-fno-sanitize-recover) with a trace.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1
# Open MPI keeps its own allocations until exit (test_distributed's ranks): suppressed by library,
# with its components left loaded so that their frames have names.
export LSAN_OPTIONS=suppressions=$PWD/tests/sanitizer/lsan-openmpi.supp
export OMPI_MCA_mca_base_component_disable_dlclose=1
ctest --test-dir build-asan --output-on-failure -j "$jobs"
