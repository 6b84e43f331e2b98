#!/usr/bin/env bash
# Checks that llama.cpp loads and runs what Ponder's GGUF writer makes: for every tensor type,
# a model from `ponder make-random-model` (llama and qwen2, reference shape and a shape with
# multi-block K-quant rows and head dim 128) and one from `ponder quantize`, each run through
# llama-simple (8 tokens). Prints one line per model and a summary; exits 1 if any failed.
#
#   bench/check-llama-cpp-loads.sh [--big]     # --big adds the qwen2.5-0.5b preset as Q8_0 (~0.5 GB)
#
# PEER_BIN: folder with llama-simple (default ../shared/peer/bin next to the repo).
# PONDER:   the ponder executable (default: built here with dotnet build -c Release).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
big=0; [[ "${1:-}" == "--big" ]] && big=1

peer="${PEER_BIN:-$root/../shared/peer/bin}"
if [[ ! -x "$peer/llama-simple" ]]; then
  echo "SKIP: llama-simple not found (set PEER_BIN to llama.cpp's bin folder)"; exit 0
fi

if [[ -z "${PONDER:-}" ]]; then
  dotnet build "$root/src/Ponder.Cli" -c Release -m:1 -v q -nologo >/dev/null || { echo "build failed"; exit 1; }
  PONDER="$root/src/Ponder.Cli/bin/Release/net10.0/ponder"
fi

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
pass=0; fail=0

run() {  # name file
  local log="$work/$1.log"
  if timeout 300 "$peer/llama-simple" -m "$2" -n 8 "Hello" >"$log" 2>&1 && grep -q "decoded 8 tokens" "$log"; then
    printf 'ok    %-34s %s\n' "$1" "$(grep -o 'decoded 8 tokens in [0-9.]* s' "$log")"; pass=$((pass + 1))
  else
    printf 'FAIL  %-34s %s\n' "$1" "$(grep -iE 'error|failed|exception' "$log" | head -1)"; fail=$((fail + 1))
  fi
}

make() {  # name args...
  local name=$1; shift
  if "$PONDER" make-random-model "$@" -o "$work/$name.gguf" 2>"$work/$name.make.log"; then run "$name" "$work/$name.gguf"
  else printf 'FAIL  %-34s make-random-model: %s\n' "$name" "$(tail -1 "$work/$name.make.log")"; fail=$((fail + 1)); fi
}

types="F32 F16 BF16 Q8_0 Q4_0 Q4_K Q6_K"
for arch in llama qwen2; do
  for t in $types; do
    make "$arch-tiny-$t" --arch "$arch" --preset llama-tiny --type "$t" --seed 1
    # rows of 512 and 768 values (2 and 3 K-quant super-blocks), head dim 128
    make "$arch-wide-$t" --arch "$arch" --preset llama-tiny --type "$t" --embd 512 --heads 4 --kv-heads 2 --ff 768 --seed 2
  done
done
# quantize: F32 source re-encoded to each type
"$PONDER" make-random-model --arch llama --preset llama-tiny --type F32 --seed 3 -o "$work/src.gguf" 2>/dev/null
for t in $types; do
  if "$PONDER" quantize "$work/src.gguf" "$work/q-$t.gguf" "$t" 2>"$work/q-$t.log"; then run "quantize-llama-$t" "$work/q-$t.gguf"
  else printf 'FAIL  %-34s quantize: %s\n' "quantize-llama-$t" "$(tail -1 "$work/q-$t.log")"; fail=$((fail + 1)); fi
done
if [[ $big == 1 ]]; then
  make "qwen2.5-0.5b-Q8_0" --arch qwen2 --preset qwen2.5-0.5b --type Q8_0
fi

echo "$pass loaded and ran, $fail failed (llama.cpp: $peer)"
[[ $fail == 0 ]]
