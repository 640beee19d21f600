"""The Qwen2.5 chat template with generation markers, for loss on assistant turns only.

Qwen2.5's own template has no {% generation %} block, so TRL's assistant_only_loss cannot find
the assistant tokens with it. This one renders the same text for the conversations
`playground distill` writes (system, user, assistant; no tools) and marks each assistant reply,
up to and including <|im_end|>, as the part to learn. No third-party imports: tests load it.
"""

QWEN_DEFAULT_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."

# Every tag trims the whitespace before it, so the file's layout adds no characters.
TRAINING_TEMPLATE = (
    "{%- if messages[0]['role'] == 'system' %}"
    "{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else %}"
    "{{- '<|im_start|>system\\n" + QWEN_DEFAULT_SYSTEM + "<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- for message in messages %}"
    "{%- if message['role'] == 'assistant' %}"
    "{{- '<|im_start|>assistant\\n' }}"
    "{% generation %}{{- message['content'] + '<|im_end|>' }}{% endgeneration %}"
    "{{- '\\n' }}"
    "{%- elif not (message['role'] == 'system' and loop.first) %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif %}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)

ROLES = ("system", "user", "assistant")


def render_chatml(messages, add_generation_prompt=False):
    """What Qwen2.5's template renders for a tool-free conversation (the reference)."""
    out = ""
    if not messages or messages[0]["role"] != "system":
        out += "<|im_start|>system\n" + QWEN_DEFAULT_SYSTEM + "<|im_end|>\n"
    for m in messages:
        out += "<|im_start|>" + m["role"] + "\n" + m["content"] + "<|im_end|>\n"
    if add_generation_prompt:
        out += "<|im_start|>assistant\n"
    return out


def check_sample(sample):
    """Returns None for a usable SFT sample, else why it is not (PROTOCOL section 9 shape)."""
    if not isinstance(sample, dict) or not isinstance(sample.get("messages"), list):
        return 'no "messages" list'
    messages = sample["messages"]
    if len(messages) < 3:
        return "fewer than three messages"
    for i, m in enumerate(messages):
        if not isinstance(m, dict) or m.get("role") not in ROLES:
            return f"message {i} has no role among {', '.join(ROLES)}"
        if not isinstance(m.get("content"), str):
            return f"message {i} has no text content"
    if messages[0]["role"] != "system":
        return "the first message is not the system prompt"
    if messages[-1]["role"] != "assistant":
        return "the last message is not an assistant turn"
    for a, b in zip(messages, messages[1:]):
        if a["role"] == b["role"]:
            return f"two {a['role']} messages in a row (playground distill merges them)"
    return None
