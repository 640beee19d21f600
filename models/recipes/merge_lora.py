#!/usr/bin/env python3
"""Fold a LoRA adapter into its base model, giving plain weights MLC-LLM can convert.

    python models/recipes/merge_lora.py \\
        --adapter agent-distillation/agent_distilled_Qwen2.5-1.5B-Instruct \\
        --base Qwen/Qwen2.5-1.5B-Instruct --out work/agent-distilled-1.5B

--adapter is a Hugging Face id or a folder (e.g. the --out of train_sft.py); --base defaults to the
base named in the adapter's adapter_config.json.
"""

import argparse
import json
import os
import sys


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--adapter", required=True, help="LoRA adapter: HF id or folder")
    p.add_argument("--base", help="base model: HF id or folder (default: from adapter_config.json)")
    p.add_argument("--out", required=True, help="folder for the merged model")
    p.add_argument("--dtype", choices=["bfloat16", "float16", "float32"], default="bfloat16",
                   help="dtype to merge and save in (Qwen2.5 ships bfloat16)")
    return p.parse_args(argv)


def adapter_base(adapter):
    """The base model an adapter was trained on, from its adapter_config.json."""
    from peft import PeftConfig

    return PeftConfig.from_pretrained(adapter).base_model_name_or_path


def main(argv=None):
    args = parse_args(argv)
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    base = args.base or adapter_base(args.adapter)
    if not base:
        sys.exit("The adapter does not name its base model: pass --base.")
    named = adapter_base(args.adapter)
    if args.base and named and os.path.basename(named.rstrip("/")) != os.path.basename(base.rstrip("/")):
        print(f"warning: the adapter was trained on {named}, merging into {base}", file=sys.stderr)

    dtype = getattr(torch, args.dtype)
    print(f"loading {base} ({args.dtype})", file=sys.stderr)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=dtype)
    print(f"applying {args.adapter}", file=sys.stderr)
    model = PeftModel.from_pretrained(model, args.adapter)
    merged = model.merge_and_unload()
    leftover = [k for k in merged.state_dict() if "lora_" in k]
    if leftover:
        sys.exit(f"merge left LoRA tensors behind, e.g. {leftover[0]}")
    merged.save_pretrained(args.out)

    # The adapter's tokenizer when it has one (train_sft.py saves it), else the base's.
    try:
        tokenizer = AutoTokenizer.from_pretrained(args.adapter)
    except (OSError, ValueError):
        tokenizer = AutoTokenizer.from_pretrained(base)
    tokenizer.save_pretrained(args.out)
    with open(os.path.join(args.out, "playground_merge.json"), "w", encoding="utf-8") as f:
        json.dump({"base": base, "adapter": args.adapter, "dtype": args.dtype}, f, indent=2)
    print(f"merged model written to {args.out}; next: convert_mlc.sh --model {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
