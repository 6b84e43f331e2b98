#!/usr/bin/env bash
# Batched decoding side by side: `ponder bench-batch` and llama.cpp's `llama-batched-bench` on one file,
# same prompt/generation lengths and sequence counts, in the same run. Prints a Markdown table of
# generation tokens/s summed over all sequences (llama.cpp's S_TG).
#   bench/compare-batched.sh MODEL.gguf [PEER_BIN_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
model=$1; peer=${2:-../shared/peer/bin}
threads=${THREADS:-2}; pp=${PP:-128}; tg=${TG:-64}; npl=${NPL:-1,4,16}
dotnet build src/Ponder.Cli -c Release -m:1 -v q >/dev/null
pj=$(dotnet src/Ponder.Cli/bin/Release/net10.0/ponder.dll bench-batch -m "$model" --sequences "$npl" --prompt "$pp" --gen "$tg" -t "$threads" --json)
lt=$("$peer/llama-batched-bench" -m "$model" -c $((16 * (pp + tg) + 256)) -npp "$pp" -ntg "$tg" -npl "$npl" -t "$threads" 2>/dev/null)
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); prompt $pp, gen $tg, $threads threads"
echo
echo "| sequences | ponder gen t/s | llama.cpp S_TG t/s | ratio |"
echo "|---|---|---|---|"
python3 - "$pj" "$lt" <<'PY'
import json, sys
ours = {r["sequences"]: r["generation_tokens_per_second"] for r in json.loads(sys.argv[1])["results"]}
theirs = {}
for line in sys.argv[2].splitlines():
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    if len(cells) == 10 and cells[2].isdigit():
        theirs[int(cells[2])] = float(cells[7])
for b in sorted(ours):
    t = theirs.get(b)
    print(f"| {b} | {ours[b]:.1f} | {t:.1f} | {ours[b]/t:.2f}× |" if t else f"| {b} | {ours[b]:.1f} | — | — |")
PY
