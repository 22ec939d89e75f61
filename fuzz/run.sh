#!/usr/bin/env bash
# Runs every fuzz target (or those named) for SECONDS each (default 600), two at a time, and
# prints each one's final line: runs, coverage, crashes. Needs a nightly toolchain and
# cargo-fuzz (`cargo install cargo-fuzz`); the corpora come from seeds.sh.
set -uo pipefail
cd "$(dirname "$0")"
secs="${SECONDS_EACH:-600}"
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(markdown html text docx odt pdf package)
[ -d corpus ] || ./seeds.sh >/dev/null
mkdir -p logs
cargo +nightly fuzz build -O >/dev/null 2>&1 || { echo "cargo +nightly fuzz build failed"; exit 2; }
run() {
  local t=$1
  cargo +nightly fuzz run -O "$t" "corpus/$t" -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
    >"logs/$t.log" 2>&1
  echo "$t: exit $? | $(grep -E '^#[0-9]+.*(DONE|pulse)' "logs/$t.log" | tail -1) | $(grep -E '^Done [0-9]+ runs' "logs/$t.log" | tail -1)"
}
i=0
for t in "${targets[@]}"; do
  run "$t" &
  i=$((i + 1))
  if [ $((i % 2)) -eq 0 ]; then wait; fi
done
wait
if find artifacts -type f 2>/dev/null | grep -q .; then
  echo "crashes found:"; find artifacts -type f; exit 1
fi
echo "no crashes"
