#!/usr/bin/env bash
# Runs `lrp inspect` and `lrp explain` (compiled engine, and the reference engine on one row) on every torchvision
# export of issue #10 point 6 and prints the rows of the table in docs/coverage.md: model, opset, nodes after
# canonicalization, fused patterns (LayerNormalization, Gelu, Silu nodes:
# fused, or native LayerNormalization at opset 17), the distinct rules, seconds per row and the relevance sum against the logit.
# Usage: scripts/coverage/run_coverage.sh [MODELS_DIR] [COMPOSITE]  (default target/coverage-models, epsilon-plus-flat;
# make the exports with scripts/coverage/export_torchvision.py, build with mvn -B package -DskipTests).
# LRP_TIMEOUT bounds each run in seconds (default 1800); LRP_ENGINES picks the engines (default "compiled reference");
# logs go to MODELS_DIR/coverage-logs/COMPOSITE. The seconds are the wall time of the whole `lrp explain` command on
# one row (JVM start, reading, folding and compiling included).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
models="${1:-$here/target/coverage-models}"
composite="${2:-epsilon-plus-flat}"
limit="${LRP_TIMEOUT:-1800}"
engines="${LRP_ENGINES:-compiled reference}"
input="$models/input_1x3x224x224.npy"
if [[ ! -f "$input" ]]; then
  echo "run_coverage.sh: expected the input row $input (written by export_torchvision.py), found none" >&2
  exit 1
fi
logs="$models/coverage-logs/${composite//[^A-Za-z0-9_-]/_}"
mkdir -p "$logs"
lrp="$here/lrp"

# One explain run: prints "seconds | sum vs logit" or the first line of the failure.
explain() {
  local model="$1" engine="$2" log="$3" start end
  start=$(date +%s.%N)
  timeout "$limit" "$lrp" explain --model "$model" --input "$input" --engine "$engine" --composite "$composite" \
    --batch-size 1 > "$log" 2>&1
  local status=$?
  end=$(date +%s.%N)
  local row
  row=$(grep -m1 '^row 0:' "$log")
  if [[ $status -eq 0 && -n "$row" ]]; then
    local logit sum
    logit=$(sed -E 's/.*logit ([^,]+),.*/\1/' <<< "$row")
    sum=$(sed -E 's/.*sum of relevance ([^,]+),.*/\1/' <<< "$row")
    printf '%.1f s, %s of %s' "$(echo "$end - $start" | bc)" "$sum" "$logit"
  elif [[ $status -eq 124 ]]; then
    printf 'timed out after %s s' "$limit"
  else
    printf 'failed: %s' "$(grep -m1 -v '^\s*$' "$log" | cut -c1-160 | sed 's/|/\\|/g')"
  fi
}

echo "| model | opset | nodes | fused patterns | rules | compiled: s/row, relevance sum of logit | reference (1 row): s, relevance sum of logit |"
echo "|---|---|---|---|---|---|---|"
for model in "$models"/*.onnx; do
  name="$(basename "$model" .onnx)"
  inspect="$logs/$name.inspect.txt"
  timeout "$limit" "$lrp" inspect --model "$model" --composite "$composite" > "$inspect" 2>&1
  nodes=$(sed -nE 's/.* ([0-9]+) after canonicalization.*/\1/p' "$inspect" | head -1)
  fused=$(awk 'found && ($2 == "LayerNormalization" || $2 == "Gelu" || $2 == "Silu") {print $2}
    /^node +op +kind/ {found=1}' "$inspect" | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')
  rules=$(awk 'found && NF >= 5 {print $NF} /^node +op +kind/ {found=1}' "$inspect" | sed -E 's/\(.*//' | sort -u \
    | paste -sd, -)
  if grep -q '^unsupported' "$inspect"; then
    rules="refused: $(grep -c "^  '" "$inspect") nodes"
  fi
  compiled="not run" reference="not run"
  [[ " $engines " == *" compiled "* ]] && compiled=$(explain "$model" compiled "$logs/$name.compiled.txt")
  [[ " $engines " == *" reference "* ]] && reference=$(explain "$model" reference "$logs/$name.reference.txt")
  echo "| ${name%_opset*} | ${name##*_opset} | ${nodes:-?} | ${fused:-none} | ${rules:-?} | $compiled | $reference |"
done
