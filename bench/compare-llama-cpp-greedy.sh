#!/usr/bin/env bash
# Ponder's greedy output equals llama.cpp's (llama-simple, which samples greedily) on 20 arith
# problems with the shipped policy model. Prints one line per problem and a summary; exits 1 on
# any difference.
#
#   bench/compare-llama-cpp-greedy.sh [MODEL.gguf]     # default: models/ponder-arith.gguf
#
# PEER_BIN: folder with llama-simple (default ../shared/peer/bin next to the repo).
# PONDER:   the ponder executable (default: built here with dotnet build -c Release).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="${1:-$root/models/ponder-arith.gguf}"

peer="${PEER_BIN:-$root/../shared/peer/bin}"
if [[ ! -x "$peer/llama-simple" ]]; then
  echo "SKIP: llama-simple not found (set PEER_BIN to llama.cpp's bin folder)"; exit 0
fi
if [[ -z "${PONDER:-}" ]]; then
  dotnet build "$root/src/Ponder.Cli" -c Release -m:1 -v q -nologo >/dev/null || { echo "build failed"; exit 1; }
  PONDER="$root/src/Ponder.Cli/bin/Release/net10.0/ponder"
fi

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
"$PONDER" data arith --count 20 --seed 424242 -o "$work/p.jsonl" || exit 1
same=0; diff=0
while read -r q; do
  ref="$("$peer/llama-simple" -m "$model" -n 200 "$q" 2>/dev/null)"
  ref="${ref#"<s>"}"; ref="${ref#"$q"}"          # llama-simple echoes BOS and the prompt
  got="$("$PONDER" generate -m "$model" -p "$q" -n 200 -t 1)"
  if [[ "$ref" == "$got" ]]; then
    same=$((same + 1)); printf 'same  %-28s %s\n' "$q" "$(tail -n1 <<<"$got")"
  else
    diff=$((diff + 1)); printf 'DIFF  %-28s llama.cpp: %q  ponder: %q\n' "$q" "$ref" "$got"
  fi
done < <(grep -o '"question": "[^"]*"' "$work/p.jsonl" | cut -d'"' -f4)
echo "$same of $((same + diff)) problems: Ponder's greedy text equals llama.cpp's"
[[ $diff -eq 0 ]]
