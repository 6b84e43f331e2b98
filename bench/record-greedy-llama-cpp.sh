#!/usr/bin/env bash
# Records llama.cpp's greedy continuations (llama-simple) of random models in shapes the shared
# reference files lack (head dim 128, K-quant rows of 2-3 super-blocks, both architectures, every
# type) into testdata/greedy/llama-cpp-greedy.json. The models are rebuilt by the tests from the same
# settings (make-random-model is deterministic), so only the expected bytes are stored.
#   bench/record-greedy-llama-cpp.sh [PEER_BIN_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
peer=${1:-../shared/peer/bin}
work=$(mktemp -d)
dotnet build src/Ponder.Cli -c Release -m:1 -v q >/dev/null
prompt="the quick brown fox"; n=24
out=testdata/greedy/llama-cpp-greedy.json
{
  echo '{"source": "llama.cpp llama-simple (commit c392e50, see testdata/README.md), greedy", "prompt": "'"$prompt"'", "n": '$n', "cases": ['
  first=1
  for arch in llama qwen2; do
    for type in F32 F16 BF16 Q8_0 Q4_0 Q4_K Q6_K; do
      for shape in "512 4 2 768" "384 3 1 512"; do
        read -r embd heads kv ff <<<"$shape"
        [[ ($type == Q4_K || $type == Q6_K) && $embd == 384 ]] && continue  # rows must be whole 256-blocks
        seed=$((RANDOM % 1000))
        f=$work/m.gguf
        dotnet src/Ponder.Cli/bin/Release/net10.0/ponder.dll make-random-model --arch $arch --preset llama-tiny --type $type \
          --embd $embd --heads $heads --kv-heads $kv --ff $ff --seed $seed -o "$f" 2>/dev/null
        raw=$("$peer/llama-simple" -m "$f" -n $n "$prompt" 2>/dev/null | base64 -w0)
        [[ $first == 1 ]] || echo ','
        first=0
        printf '{"arch": "%s", "type": "%s", "embd": %d, "heads": %d, "kv_heads": %d, "ff": %d, "seed": %d, "stdout_base64": "%s"}' \
          $arch $type $embd $heads $kv $ff $seed "$raw"
      done
    done
  done
  echo ']}'
} > "$out"
echo "wrote $out"
