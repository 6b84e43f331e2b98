#!/usr/bin/env bash
# Trains and exports Ponder's arith policy and step verifier (PRM) from scratch, then evaluates
# them: the one command behind models/README.md. Resumable: run it again after an interruption
# and each stage continues from its last checkpoint (runs/ holds checkpoints and logs).
#
#   tools/train-arith-models.sh            # THREADS=1 by default (fastest on a busy 2-core machine)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"; cd "$root"
threads="${THREADS:-1}"
dotnet build tools/Ponder.Train -c Release -m:1 -v q -nologo
T="dotnet tools/Ponder.Train/bin/Release/net10.0/ponder-train.dll"
mkdir -p runs models

# 1. Policy: llama 4x128, trained on problems drawn on the fly (seed 1).
$T train --kind policy --out runs/policy --seed 1 --steps 2400 --batch 32 --lr 3e-3 --warmup 100 \
  --embd 128 --layers 4 --heads 4 --kv-heads 4 --ff 384 --ctx 256 --type F16 --threads "$threads" \
  --checkpoint-minutes 3 --max-minutes "${POLICY_MINUTES:-40}" --export runs/policy/final.gguf
policy="${POLICY_GGUF:-runs/policy/final.gguf}"
cp "$policy" models/ponder-arith.gguf

# 2. Verifier data: the policy's own solutions of fresh problems at T 0.8 and 1.0.
[[ -f runs/prm-samples.jsonl ]] || $T sample -m models/ponder-arith.gguf --count 600 --n 4 --temps 0.8,1.0 --seed 1001 \
  --threads "$threads" -o runs/prm-samples.jsonl

# 3. Verifier: starts from the policy's weights, learns '+'/'-' at each line's marker.
$T train --kind prm --out runs/prm --init "${PRM_INIT:-runs/policy/checkpoint.weights}" --samples runs/prm-samples.jsonl \
  --synthetic-share 0.3 --seed 2 --steps 500 --batch 32 --lr 1e-3 --warmup 30 \
  --embd 128 --layers 4 --heads 4 --kv-heads 4 --ff 384 --ctx 256 --type F16 --threads "$threads" \
  --checkpoint-minutes 3 --max-minutes "${PRM_MINUTES:-20}" --export models/ponder-arith-prm.gguf

# 4. Evaluation on 1000 fresh problems (seed 20261125), 16 samples at T 0.8.
$T eval -m models/ponder-arith.gguf --prm models/ponder-arith-prm.gguf --count 1000 --n 16 --temperature 0.8 \
  --threads 2 --json runs/eval.json | tee runs/eval.md
$T plot --loss policy=runs/policy/loss.csv prm=runs/prm/loss.csv -o models/loss.png
