#!/usr/bin/env bash
# Side-by-side speed of Ponder and llama.cpp on the same files, same machine, same run.
# Makes Qwen2.5-0.5B-shaped random models with `ponder make-random-model`, then runs
# `ponder bench` and llama.cpp's `llama-bench` back to back per type, and prints a Markdown table.
#   bench/compare-llama-cpp.sh [PEER_BIN_DIR] [TYPES...]
# PEER_BIN_DIR defaults to ../shared/peer/bin (llama.cpp built for this machine).
set -euo pipefail
cd "$(dirname "$0")/.."
peer=${1:-../shared/peer/bin}; shift || true
types=("$@"); [[ ${#types[@]} -gt 0 ]] || types=(Q8_0 Q4_0 Q4_K F16)
threads=${THREADS:-2}; pp=${PP:-512}; tg=${TG:-128}; reps=${REPS:-3}
work=${WORK:-$(mktemp -d)}
[[ -x $peer/llama-bench ]] || { echo "llama-bench not found in $peer" >&2; exit 2; }
dotnet build src/Ponder.Cli -c Release -m:1 -v q >/dev/null
ponder() { dotnet src/Ponder.Cli/bin/Release/net10.0/ponder.dll "$@"; }
mean() { python3 -c "import json,sys; d=json.load(sys.stdin); print(d['$1'])"; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| type | ponder pp$pp | llama.cpp pp$pp | ratio | ponder tg$tg | llama.cpp tg$tg | ratio |"
echo "|---|---|---|---|---|---|---|"
for t in "${types[@]}"; do
  extra=(); [[ $t == Q4_K || $t == Q6_K ]] && extra=(--embd 1024 --heads 16)   # K-quant rows need a multiple of 256 (head dim stays 64)
  f=$work/q05-$t.gguf
  [[ -f $f ]] || ponder make-random-model --arch qwen2 --preset qwen2.5-0.5b --type "$t" "${extra[@]}" -o "$f" >/dev/null
  pj=$(ponder bench -m "$f" -p "$pp" -n "$tg" -t "$threads" -r "$reps" --json)
  lj=$("$peer/llama-bench" -m "$f" -t "$threads" -p "$pp" -n "$tg" -r "$reps" -o json 2>/dev/null)
  read -r lpp ltg < <(python3 -c "
import json,sys; rows=json.loads(sys.argv[1]); pp=[r['avg_ts'] for r in rows if r['n_prompt']>0][0]; tg=[r['avg_ts'] for r in rows if r['n_gen']>0][0]; print(pp, tg)" "$lj")
  ppp=$(echo "$pj" | mean pp_tokens_per_second); ptg=$(echo "$pj" | mean tg_tokens_per_second)
  python3 -c "print('| $t%s | %.1f | %.1f | %.2f× | %.1f | %.1f | %.2f× |' % (' (embd 1024)' if '$t' in ('Q4_K','Q6_K') else '', $ppp, $lpp, $ppp/$lpp, $ptg, $ltg, $ptg/$ltg))"
done
