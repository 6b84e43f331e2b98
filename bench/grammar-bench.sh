#!/usr/bin/env bash
# Grammar benchmark over the realistic schema corpus (issue 10): compile time, mask time per token and decode
# overhead for every schema, as one Markdown table.
#
#   bench/grammar-bench.sh [MODEL.gguf] [TOKENS] [THREADS]
#
# MODEL must carry the Qwen2.5 vocabulary. Without one, a random-weight model with the real vocabulary and tiny
# layers is made (make-random-model --preset qwen2.5-0.5b reads testdata/vocab/ggml-vocab-qwen2.gguf.gz): mask and
# compile times depend on the vocabulary, not the layers. For the decode-overhead bar use the 0.5B shape:
#   ponder make-random-model --arch qwen2 --preset qwen2.5-0.5b --type Q8_0 -o qwen-0.5b-random.gguf
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL="${1:-}"
TOKENS="${2:-256}"
THREADS="${3:-1}"
dotnet build -c Release src/Ponder.Cli -m:1 -v q >/dev/null
PONDER=src/Ponder.Cli/bin/Release/net10.0/ponder
if [[ -z "$MODEL" ]]; then
  MODEL="$(mktemp -d)/qwen-vocab-tiny.gguf"
  "$PONDER" make-random-model --arch qwen2 --preset qwen2.5-0.5b --type Q8_0 --embd 64 --heads 1 --kv-heads 1 --ff 128 --layers 1 -o "$MODEL" >&2
fi
echo "model: $(basename "$MODEL"), $TOKENS tokens per schema, $THREADS thread(s), load: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo
echo "| schema | compile ms | states | masks | mask mean µs | p50 µs | p99 µs | max µs | tok/s grammar | tok/s free | overhead |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for f in tests/Ponder.Grammar.Tests/Schemas/*.json; do
  # One schema failing (a compile over its time cap on a loaded machine) leaves its row saying why, not a dead table.
  if ! out="$("$PONDER" bench-grammar -m "$MODEL" --json-schema "$f" --tokens "$TOKENS" -t "$THREADS" --json 2>&1)"; then
    echo "| $(basename "$f") | failed: $(echo "$out" | tail -1) |"
    continue
  fi
  echo "$out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
r["over"] = 100 * (1 - r["constrained_tokens_per_second"] / r["unconstrained_tokens_per_second"])
print("| {schema} | {compile_ms:.0f} | {states} | {masks} | {mask_mean_us:.1f} | {mask_p50_us:.1f} | {mask_p99_us:.0f} | {mask_max_us:.0f} | {constrained_tokens_per_second:.0f} | {unconstrained_tokens_per_second:.0f} | {over:.1f}% |".format(**r))'
done
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
