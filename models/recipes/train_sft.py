#!/usr/bin/env python3
"""Fine-tune a student on the SFT file of `playground distill`, with the paper's settings.

PROTOCOL section 9: LoRA r=64, alpha=128 on all linear layers, learning rate 2e-4, 2 epochs,
batch size 8, loss on assistant turns only. Writes a LoRA adapter; merge_lora.py folds it into
the base model and convert_mlc.sh makes it loadable in the browser.

    python models/recipes/train_sft.py --data runs/teacher.sft.jsonl \\
        --base-model Qwen/Qwen2.5-0.5B-Instruct --out work/student-0.5B-lora

`--check-data` only validates the file (no GPU, no third-party packages).
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chat_template import TRAINING_TEMPLATE, check_sample, render_chatml  # noqa: E402

PAPER = {"lora_r": 64, "lora_alpha": 128, "lr": 2e-4, "epochs": 2, "batch_size": 8}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="SFT JSONL from playground distill (--sft-out)")
    p.add_argument("--base-model", default="Qwen/Qwen2.5-1.5B-Instruct", help="HF id or folder")
    p.add_argument("--out", help="where the LoRA adapter goes")
    p.add_argument("--check-data", action="store_true", help="validate --data and exit")
    p.add_argument("--epochs", type=float, default=PAPER["epochs"])
    p.add_argument("--lr", type=float, default=PAPER["lr"])
    p.add_argument("--batch-size", type=int, default=PAPER["batch_size"],
                   help="effective batch: per-device batch x accumulation x GPUs")
    p.add_argument("--per-device-batch", type=int, default=1,
                   help="sequences per GPU step; accumulation makes up the rest of --batch-size")
    p.add_argument("--lora-r", type=int, default=PAPER["lora_r"])
    p.add_argument("--lora-alpha", type=int, default=PAPER["lora_alpha"])
    p.add_argument("--lora-dropout", type=float, default=0.05,
                   help="not stated by the paper; 0.05 is PEFT practice")
    p.add_argument("--max-length", type=int, default=10240,
                   help="tokens per sample, the reference's finetune_sft_agent.sh value; longer samples "
                        "are dropped, not cut as TRL would (a cut one loses its answer)")
    p.add_argument("--fp16", action="store_true", help="for GPUs without bfloat16 (T4, V100)")
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args(argv)
    if not args.check_data and not args.out:
        p.error("--out is required unless --check-data")
    return args


def load_samples(path):
    """Reads the SFT file; exits naming the first bad line, since a silent skip skews training."""
    samples = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                sample = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{n}: not JSON ({e.msg})")
            problem = check_sample(sample)
            if problem:
                sys.exit(f"{path}:{n}: {problem}")
            samples.append({"messages": sample["messages"]})
    if not samples:
        sys.exit(f"{path}: no samples (did playground distill keep any trajectories?)")
    return samples


def describe(samples):
    turns = sum(sum(m["role"] == "assistant" for m in s["messages"]) for s in samples)
    chars = sum(len(render_chatml(s["messages"])) for s in samples)
    return f"{len(samples)} samples, {turns} assistant turns, {chars} characters"


def check_template(tokenizer, samples):
    """The training template must render exactly what the model sees at inference, and mask only
    assistant replies; stop before spending GPU hours if this TRL/transformers pair disagrees."""
    original = tokenizer.chat_template
    sample = samples[0]["messages"]
    expected = tokenizer.apply_chat_template(sample, tokenize=False)
    if expected != render_chatml(sample):
        sys.exit("The base model's chat template is not Qwen2.5 ChatML: this recipe is for Qwen2.5.")
    tokenizer.chat_template = TRAINING_TEMPLATE
    got = tokenizer.apply_chat_template(sample, tokenize=False)
    if got != expected:
        sys.exit("The training template renders differently from the model's own template.")
    enc = tokenizer.apply_chat_template(
        sample, tokenize=True, return_dict=True, return_assistant_tokens_mask=True
    )
    ids = [i for i, keep in zip(enc["input_ids"], enc["assistant_masks"]) if keep]
    learned = tokenizer.decode(ids)
    replies = [m["content"] + "<|im_end|>" for m in sample if m["role"] == "assistant"]
    # A token straddling a turn boundary may add a newline; anything more is the prompt leaking in.
    if any(r not in learned for r in replies) or len(learned) > sum(map(len, replies)) + 2 * len(replies):
        sys.exit("The assistant mask does not cover exactly the assistant replies.")
    return original


def main(argv=None):
    args = parse_args(argv)
    samples = load_samples(args.data)
    print(f"{args.data}: {describe(samples)}", file=sys.stderr)
    if args.check_data:
        return 0

    # Heavy imports only when training, so --check-data and the tests run anywhere.
    import torch
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import SFTConfig, SFTTrainer

    tokenizer = AutoTokenizer.from_pretrained(args.base_model)
    original_template = check_template(tokenizer, samples)
    lengths = [len(tokenizer.apply_chat_template(s["messages"], tokenize=True)) for s in samples]
    kept = [s for s, n in zip(samples, lengths) if n <= args.max_length]
    if len(kept) < len(samples):
        print(f"dropping {len(samples) - len(kept)} samples longer than {args.max_length} tokens "
              f"(longest {max(lengths)}); raise --max-length to keep them", file=sys.stderr)

    world = int(os.environ.get("WORLD_SIZE", "1"))
    per_step = args.per_device_batch * world
    if args.batch_size % per_step:
        sys.exit(f"--batch-size {args.batch_size} is not a multiple of {per_step} "
                 f"(--per-device-batch x {world} GPUs)")
    dtype = torch.float16 if args.fp16 else torch.bfloat16
    model = AutoModelForCausalLM.from_pretrained(args.base_model, dtype=dtype)

    config = SFTConfig(
        output_dir=args.out,
        num_train_epochs=args.epochs,
        learning_rate=args.lr,
        per_device_train_batch_size=args.per_device_batch,
        gradient_accumulation_steps=args.batch_size // per_step,
        assistant_only_loss=True,
        max_length=args.max_length,
        packing=False,
        bf16=not args.fp16,
        fp16=args.fp16,
        gradient_checkpointing=True,
        logging_steps=10,
        save_strategy="epoch",
        report_to="none",
        seed=args.seed,
    )
    lora = LoraConfig(
        r=args.lora_r,
        lora_alpha=args.lora_alpha,
        lora_dropout=args.lora_dropout,
        target_modules="all-linear",
        task_type="CAUSAL_LM",
    )
    trainer = SFTTrainer(
        model=model,
        args=config,
        train_dataset=Dataset.from_list(kept),
        processing_class=tokenizer,
        peft_config=lora,
    )
    trainer.train()
    trainer.save_model(args.out)
    # Ship the model's own template: the training one only exists to build the loss mask.
    tokenizer.chat_template = original_template
    tokenizer.save_pretrained(args.out)
    with open(os.path.join(args.out, "playground_recipe.json"), "w", encoding="utf-8") as f:
        json.dump({"base_model": args.base_model, "data": os.path.abspath(args.data),
                   "samples": len(kept), "args": vars(args)}, f, indent=2)
    print(f"adapter written to {args.out}; next: merge_lora.py --adapter {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
