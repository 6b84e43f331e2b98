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

# 1b. The shipped policy: the clean one fine-tuned on an unreliable solver's demonstrations
#     (NoisySolver: hard multiplications done in a hurry slip their leading digit), so that greedy
#     decoding misses what sampling and verification can recover. Two stages: 900 steps at hurry 0.4 /
#     slip 0.6, then 600 steps at hurry 0.34 / slip 0.5 (more careful steps, so voting gains more).
$T train --kind policy --out runs/policy-noisy --init runs/policy/checkpoint.weights --hurry 0.4 --slip 0.6 --seed 3 \
  --steps 900 --batch 32 --lr 1e-3 --warmup 20 \
  --embd 128 --layers 4 --heads 4 --kv-heads 4 --ff 384 --ctx 256 --type F16 --threads "$threads" \
  --checkpoint-minutes 3 --max-minutes "${NOISY_MINUTES:-40}" --export runs/policy-noisy/final.gguf
$T train --kind policy --out runs/policy-noisy4 --init runs/policy-noisy/checkpoint.weights --hurry 0.34 --slip 0.5 --seed 4 \
  --steps 600 --batch 32 --lr 6e-4 --warmup 20 \
  --embd 128 --layers 4 --heads 4 --kv-heads 4 --ff 384 --ctx 256 --type F16 --threads "$threads" \
  --checkpoint-minutes 3 --max-minutes "${NOISY_MINUTES:-40}" --export runs/policy-noisy4/final.gguf
# 1c. Third stage: 700 steps at hurry 0.4 / slip 0.7. Slipping now beats not slipping after a hurried '=', so greedy
#     decoding fails on hard steps while most samples still get them right: the gap voting and verifiers close.
$T train --kind policy --out runs/policy-noisy5 --init runs/policy-noisy4/checkpoint.weights --hurry 0.4 --slip 0.7 --seed 5 \
  --steps 700 --batch 32 --lr 6e-4 --warmup 20 \
  --embd 128 --layers 4 --heads 4 --kv-heads 4 --ff 384 --ctx 256 --type F16 --threads "$threads" \
  --checkpoint-minutes 4 --max-minutes "${NOISY_MINUTES:-40}" --export runs/policy-noisy5/final.gguf
policy="${POLICY_GGUF:-runs/policy-noisy5/final.gguf}"
cp "$policy" models/ponder-arith.gguf

# 2. Verifier data: the shipped policy's own solutions of 1600 fresh problems at T 0.8 and 1.0.
[[ -f runs/prm-samples5.jsonl ]] || $T sample -m "$policy" --count 1600 --n 4 --temps 0.8,1.0 --seed 3003 \
  --threads "$threads" -o runs/prm-samples5.jsonl

# 3. Verifier: 8 layers, grown from the shipped policy (its 4 layers below, 4 new ones on top that start as the
#    identity): the policy's layers know the arithmetic and the notations, and the new ones have room to compare the
#    result it expects with the one written. It learns '+'/'-' at each line's marker and, on lines still right, keeps
#    writing the right result (PrmSource). Four phases in one run folder (each resumes the last): 876 steps of the
#    stored samples and 30% corruptions (cosine over 4000), 391 more (cosine over 2500), 1733 with 40% fresh
#    unreliable-solver solutions, 20% corruptions and the verdicts weighted twice (cosine over 3000), then 1000 more
#    of that mix at a low rate (cosine from 5e-4 over 4000).
PRM="--kind prm --out runs/prm8 --samples runs/prm-samples5.jsonl --batch 32 --warmup 50 \
  --embd 128 --layers 8 --heads 4 --kv-heads 4 --ff 384 --ctx 256 --type F16 --threads $threads --checkpoint-minutes 4"
$T train $PRM --lr 1e-3 --init runs/policy-noisy5/checkpoint.weights --synthetic-share 0.3 --seed 32 --steps 4000 --stop-at 876
$T train $PRM --lr 1e-3 --synthetic-share 0.3 --seed 32 --steps 2500 --stop-at 1267
$T train $PRM --lr 1e-3 --synthetic-share 0.2 --noisy-share 0.4 --verdict-weight 2 --seed 34 --steps 3000
$T train $PRM --lr 5e-4 --synthetic-share 0.2 --noisy-share 0.4 --verdict-weight 2 --seed 35 --steps 4000 \
  --max-minutes "${PRM_MINUTES:-90}" --export models/ponder-arith-prm.gguf

# 4. Evaluation on 1000 fresh problems (seed 20261125; greedy on all, 16 samples at T 0.8 on the first 200).
$T eval -m models/ponder-arith.gguf --prm models/ponder-arith-prm.gguf --count 1000 --n 16 --temperature 0.8 --sample-count 200 \
  --threads 2 --json runs/eval.json | tee runs/eval.md
$T plot --loss policy=runs/policy/loss.csv policy-noisy=runs/policy-noisy/loss.csv policy-noisy4=runs/policy-noisy4/loss.csv \
  policy-noisy5=runs/policy-noisy5/loss.csv prm=runs/prm8/loss.csv -o models/loss.png
