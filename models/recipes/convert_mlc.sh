#!/usr/bin/env bash
# Converts a merged Hugging Face model to MLC format for WebLLM, in q4f16_1 and q4f32_1, into
# models/<id>-<quant>-MLC/resolve/main/, then checks each folder and prints its registry entry.
# The weights reuse the base model's prebuilt WebLLM library (same architecture and quantization),
# so nothing is compiled here.
#
#   bash models/recipes/convert_mlc.sh --model work/agent-distilled-1.5B \
#     --id agent-distilled-Qwen2.5-1.5B-Instruct --base Qwen2.5-1.5B-Instruct
set -euo pipefail

usage() {
  cat >&2 <<'EOF'
usage: convert_mlc.sh --model DIR --id NAME --base FAMILY [options]
  --model DIR        merged Hugging Face model (merge_lora.py --out)
  --id NAME          id without the quantization, e.g. agent-distilled-Qwen2.5-1.5B-Instruct
  --base FAMILY      base family in models/registry.json, e.g. Qwen2.5-1.5B-Instruct
  --quant "Q ..."    quantizations (default: "q4f16_1 q4f32_1")
  --context N        context window (default 4096, as the base's WebLLM records)
  --prefill-chunk N  prefill chunk (default 1024: the prebuilt libraries are built for cs1k)
  --kind KIND        distilled (default) or base
  --device DEV       mlc_llm --device for convert_weight (default: auto)
  --with-lib         also download the base's WebLLM library into the folder (fully offline use)
  --models-dir DIR   default: models/ of this repository
  --dry-run          print the commands instead of running them
EOF
  exit 2
}

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
model="" id="" base="" quants="q4f16_1 q4f32_1" context=4096 chunk=1024 kind=distilled
device="" with_lib=0 models_dir="$repo/models" dry=0
registry="$repo/models/registry.json"

while [ $# -gt 0 ]; do
  case "$1" in
    --model) model="$2"; shift 2 ;;
    --id) id="$2"; shift 2 ;;
    --base) base="$2"; shift 2 ;;
    --quant) quants="$2"; shift 2 ;;
    --context) context="$2"; shift 2 ;;
    --prefill-chunk) chunk="$2"; shift 2 ;;
    --kind) kind="$2"; shift 2 ;;
    --device) device="$2"; shift 2 ;;
    --with-lib) with_lib=1; shift ;;
    --models-dir) models_dir="$2"; shift 2 ;;
    --dry-run) dry=1; shift ;;
    -h|--help) usage ;;
    *) echo "convert_mlc.sh: unknown option $1" >&2; usage ;;
  esac
done
[ -n "$model" ] && [ -n "$id" ] && [ -n "$base" ] || usage
for q in $quants; do
  case "$q" in q4f16_1|q4f32_1) ;; *) echo "convert_mlc.sh: WebLLM has prebuilt libraries for q4f16_1 and q4f32_1 only, not $q" >&2; exit 2 ;; esac
done

run() {
  if [ "$dry" = 1 ]; then printf '%q ' "$@"; echo; else "$@"; fi
}

if [ "$dry" = 0 ]; then
  command -v mlc_llm >/dev/null || { echo "convert_mlc.sh: mlc_llm not found: see models/recipes/README.md (Install MLC-LLM)" >&2; exit 1; }
  [ -f "$model/config.json" ] || { echo "convert_mlc.sh: $model/config.json not found: pass the merged model folder" >&2; exit 1; }
fi

playground=(node "$repo/bin/playground.js")
for q in $quants; do
  folder="$models_dir/$id-$q-MLC"
  out="$folder/resolve/main"
  base_id="$base-$q-MLC"
  run mkdir -p "$out"
  convert=(mlc_llm convert_weight "$model" --quantization "$q" -o "$out")
  [ -n "$device" ] && convert+=(--device "$device")
  run "${convert[@]}"
  run mlc_llm gen_config "$model" --quantization "$q" --conv-template qwen2 \
    --context-window-size "$context" --prefill-chunk-size "$chunk" -o "$out"
  # MLC-LLM before its NDArray->Tensor rename wrote ndarray-cache.json; web-llm 0.2.86 reads tensor-cache.json.
  if [ "$dry" = 0 ] && [ -f "$out/ndarray-cache.json" ] && [ ! -f "$out/tensor-cache.json" ]; then
    mv "$out/ndarray-cache.json" "$out/tensor-cache.json"
  fi
  if [ "$with_lib" = 1 ]; then
    lib_url="$(node -e 'const r=require(process.argv[1]);const m=r.models.find((x)=>x.id===process.argv[2]);if(!m){process.exit(1)}console.log(m.modelLib)' "$registry" "$base_id")" \
      || { echo "convert_mlc.sh: $base_id is not in $registry" >&2; exit 1; }
    run curl -fL --retry 3 -o "$out/${lib_url##*/}" "$lib_url"
  fi
  run "${playground[@]}" models check "$folder"
  echo "--- registry entry for $id-$q-MLC (append to \"models\" in models/registry.json) ---" >&2
  run "${playground[@]}" models entry "$folder" --base "$base_id" --kind "$kind" \
    --label "$id ($q)" --registry "$registry"
done
