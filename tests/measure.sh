# SPDX-License-Identifier: Apache-2.0
# Sourced by the benchmark scripts: `measure LABEL MEGAPIXELS COMMAND...` runs the command and prints
# its wall time, seconds per megapixel, megapixels per second and peak RSS (VmHWM from /proc).
# MEGAPIXELS "-": the sum of what aekit's -v lines say each file had ("(0.19 MP, 0.25 s)").
measure() {
  local label=$1 mp=$2; shift 2
  local start end log
  log=$(mktemp)
  start=$(date +%s.%N)
  "$@" 2>"$log" &
  local pid=$! peak=0 rss
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss
    sleep 0.2
  done
  wait "$pid"
  end=$(date +%s.%N)
  [ "$mp" = "-" ] && mp=$(awk '{ for (i = 1; i < NF; ++i) if ($(i + 1) == "MP,") s += substr($i, 2) } END { print s }' "$log")
  rm -f "$log"
  awk -v l="$label" -v s="$start" -v e="$end" -v p="$peak" -v mp="$mp" \
    'BEGIN { t = e - s; printf "%-36s %6.1f s  %6.2f MP  %5.2f MP/s  peak RSS %5.0f MB\n", l, t, mp, mp / t, p / 1024 }'
}
