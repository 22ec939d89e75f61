#!/usr/bin/env bash
# Extraction side by side with lychee (issue 16): whole process, median of 11 runs, MB/s and
# peak RSS, on the seed repeated 200 times (Markdown, ~14 MB; and the same read as plain text)
# and the New Zealand reference list of ../shared/corpus repeated 50 times (HTML, ~15 MB).
# Writes reports/bench/extract.csv.
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
seed = open(f"{shared}/seed/000_df883177e5fcaef3.txt").read() * 200
open(f"{work}/seed200.md", "w").write(seed)
open(f"{work}/seed200.txt", "w").write(seed)  # the same report, read as plain text
open(f"{work}/nz50.html", "w").write(open(f"{shared}/corpus/wikipedia_new_zealand_references_excerpt.html").read() * 50)
PY
# Whole process, both tools alternated run by run (this machine's speed drifts by minutes),
# wall time from a monotonic clock (GNU time's %e counts in 10 ms steps: a tenth of a run),
# peak RSS from wait4, a pause before each run. Median of RUNS runs each.
out=reports/bench/extract.csv
python3 - "$bin" "$work" "$out" "${RUNS:-11}" <<'PY'
import os, shutil, statistics, sys, time
bin, work, out, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
lychee = shutil.which("lychee")
def run(cmd):
    time.sleep(0.1)  # each run starts on a settled machine (the last one's memory handed back)
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1); os.dup2(fd, 2)
        os.execv(cmd[0], cmd)
    _, _, usage = os.wait4(pid, 0)
    return time.perf_counter() - t, usage.ru_maxrss / 1024
rows = ["case,mb,tool,median_s,mb_per_s,peak_rss_mb,citecheck_speed_vs_lychee"]
# (file, how citecheck is told its format; lychee goes by the extension)
for f, given in [("seed200.md", []), ("seed200.txt", ["--input-format", "text"]), ("nz50.html", [])]:
    path = f"{work}/{f}"
    mb = round(os.path.getsize(path) / 1e6, 1)
    tools = {"citecheck": [bin, "extract", *given, path]}
    if lychee:
        tools["lychee"] = [lychee, "--dump", path]
    seen = {t: ([], 0.0) for t in tools}
    for _ in range(runs):
        for t, cmd in tools.items():
            s, rss = run(cmd)
            seen[t] = (seen[t][0] + [s], max(seen[t][1], rss))
    med = {t: statistics.median(v[0]) for t, v in seen.items()}
    for t in tools:
        ratio = f"{med['lychee'] / med['citecheck']:.2f}" if t == "citecheck" and lychee else ""
        rows.append(f"{f},{mb},{t},{med[t]:.3f},{mb / med[t]:.1f},{seen[t][1]:.1f},{ratio}")
open(out, "w").write("\n".join(rows) + "\n")
PY
cat "$out"
