#!/usr/bin/env bash
# Turns a merged Hugging Face model (merge_lora.py --out) into a quantised GGUF file for the CPU
# engines (wllama in the browser, `playground ... --gguf` in Node) with llama.cpp's own tools:
# convert_hf_to_gguf.py writes an F16 GGUF, llama-quantize makes the Q4_K_M (or other) file.
# It then checks the file with the GGUF header check the engines run before loading and, given the
# address the file will be served from (--url), prints a models/registry.json "cpuModels" entry.
# Without --url, use the file directly: `playground ask --gguf FILE`, or in the app "A GGUF file on
# this computer".
#
# Not run on the project's machines (no model weights, no llama.cpp checkout); the commands follow
# llama.cpp's documentation (tools/quantize/README.md, docs/build.md). Try --dry-run first.
#
#   git clone https://github.com/ggml-org/llama.cpp && cmake -S llama.cpp -B llama.cpp/build \
#     && cmake --build llama.cpp/build --target llama-quantize -j
#   pip install -r llama.cpp/requirements/requirements-convert_hf_to_gguf.txt
#   bash models/recipes/convert_gguf.sh --model work/agent-distilled-1.5B \
#     --id agent-distilled-Qwen2.5-1.5B-Instruct --llama-cpp llama.cpp
set -euo pipefail

usage() {
  cat >&2 <<'USAGE'
usage: convert_gguf.sh --model DIR --id NAME --llama-cpp DIR [options]
  --model DIR       merged Hugging Face model (merge_lora.py --out)
  --id NAME         id without the quantisation, e.g. agent-distilled-Qwen2.5-1.5B-Instruct
  --llama-cpp DIR   a llama.cpp checkout with llama-quantize built (build/bin/llama-quantize)
  --quant TYPE      llama-quantize type (default Q4_K_M; Q8_0 for less loss, twice the size)
  --out DIR         where the .gguf files go (default: models/gguf/ of this repository)
  --url URL         where the file will be served from, for the registry entry
  --keep-f16        keep the intermediate F16 file
  --dry-run         print the commands instead of running them
USAGE
  exit 2
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
model="" id="" llama="" url="" quant="Q4_K_M" out="$repo/models/gguf" keep=0 dry=0
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model="${2:?}"; shift 2 ;;
    --id) id="${2:?}"; shift 2 ;;
    --llama-cpp) llama="${2:?}"; shift 2 ;;
    --quant) quant="${2:?}"; shift 2 ;;
    --out) out="${2:?}"; shift 2 ;;
    --url) url="${2:?}"; shift 2 ;;
    --keep-f16) keep=1; shift ;;
    --dry-run) dry=1; shift ;;
    *) usage ;;
  esac
done
[ -n "$model" ] && [ -n "$id" ] && [ -n "$llama" ] || usage

run() {
  if [ "$dry" = 1 ]; then printf '%q ' "$@"; echo; else "$@"; fi
}

if [ "$dry" = 0 ]; then
  [ -f "$model/config.json" ] || { echo "convert_gguf.sh: $model has no config.json (run merge_lora.py first)" >&2; exit 1; }
  [ -f "$llama/convert_hf_to_gguf.py" ] || { echo "convert_gguf.sh: no convert_hf_to_gguf.py in $llama" >&2; exit 1; }
  [ -x "$llama/build/bin/llama-quantize" ] || { echo "convert_gguf.sh: build llama-quantize first (cmake --build $llama/build --target llama-quantize)" >&2; exit 1; }
  if grep -q '"lora_' "$model"/*.json 2>/dev/null; then
    echo "convert_gguf.sh: $model still looks like a LoRA adapter; merge it first (merge_lora.py)" >&2; exit 1
  fi
fi

f16="$out/$id-F16.gguf"
final="$out/$id-$quant.gguf"
run mkdir -p "$out"
# The converter reads the architecture (Qwen2ForCausalLM), tokenizer and chat template from the
# Hugging Face folder; the engines ignore the template and render Qwen2.5's ChatML themselves.
run python3 "$llama/convert_hf_to_gguf.py" "$model" --outfile "$f16" --outtype f16
run "$llama/build/bin/llama-quantize" "$f16" "$final" "$quant"
[ "$keep" = 1 ] || run rm -f "$f16"
# The same header check the CPU engines run before loading (magic, tensor table, truncation).
run node "$repo/bin/run-ts.js" "$here/gguf_entry.ts" "$final" "$id" "$quant" ${url:+"$url"}
