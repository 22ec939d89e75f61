#!/usr/bin/env bash
# Extraction side by side with lychee (issue 16): whole process, median of 5 runs, MB/s and
# peak RSS, on the seed repeated 200 times (Markdown, ~14 MB) and the New Zealand reference
# list of ../shared/corpus repeated 50 times (HTML, ~15 MB). Writes reports/bench/extract.csv.
# lychee is run when on PATH (`cargo install lychee --locked`); CI does not need it.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared
[ -f "$shared/seed/000_df883177e5fcaef3.txt" ] || { echo "../shared is not here: nothing to measure"; exit 0; }
cargo build --release --quiet
bin=target/release/citecheck
work=target/bench-extract
mkdir -p "$work"
python3 - "$shared" "$work" <<'PY'
import sys
shared, work = sys.argv[1], sys.argv[2]
open(f"{work}/seed200.md", "w").write(open(f"{shared}/seed/000_df883177e5fcaef3.txt").read() * 200)
open(f"{work}/nz50.html", "w").write(open(f"{shared}/corpus/wikipedia_new_zealand_references_excerpt.html").read() * 50)
PY
measure() { # tool file -> "median_seconds peak_rss_kb"
  local tool=$1 file=$2 times=() rss=0
  for _ in 1 2 3 4 5; do
    if [ "$tool" = citecheck ]; then
      /usr/bin/time -f "%e %M" -o "$work/t" "$bin" extract "$file" >/dev/null 2>&1
    else
      /usr/bin/time -f "%e %M" -o "$work/t" lychee --dump "$file" >/dev/null 2>&1 || true
    fi
    read -r s k <"$work/t"
    times+=("$s"); [ "$k" -gt "$rss" ] && rss=$k
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p | tr '\n' ' '; echo "$rss"
}
out=reports/bench/extract.csv
echo "case,mb,tool,median_s,mb_per_s,peak_rss_mb,citecheck_speed_vs_lychee" >"$out"
for f in seed200.md nz50.html; do
  mb=$(python3 -c "import os;print(round(os.path.getsize('$work/$f')/1e6,1))")
  read -r cs ck < <(measure citecheck "$work/$f")
  if command -v lychee >/dev/null; then read -r ls lk < <(measure lychee "$work/$f"); else ls=""; lk=""; fi
  python3 - "$f" "$mb" "$cs" "$ck" "$ls" "$lk" >>"$out" <<'PY'
import sys
f, mb, cs, ck, ls, lk = sys.argv[1:7]
mb = float(mb); cs = float(cs)
ratio = f"{float(ls)/cs:.2f}" if ls else ""
print(f"{f},{mb},citecheck,{cs:.3f},{mb/cs:.1f},{int(ck)/1024:.1f},{ratio}")
if ls:
    print(f"{f},{mb},lychee,{float(ls):.3f},{mb/float(ls):.1f},{int(lk)/1024:.1f},")
PY
done
cat "$out"
