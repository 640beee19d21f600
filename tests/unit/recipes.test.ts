import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getPromptProfile } from '../../src/agent/prompt-profile.ts';

const RECIPES = 'models/recipes';
const tmp = mkdtempSync(join(tmpdir(), 'recipes-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(cmd: string, args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(cmd, args, {
    encoding: 'utf8',
    // Byte-compiled files go to the temp dir, not into the repository.
    env: {
      ...process.env,
      PYTHONPYCACHEPREFIX: join(tmp, 'pycache'),
      PYTHONDONTWRITEBYTECODE: '1',
    },
    timeout: 30_000,
  });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

const hasJinja = run('python3', ['-c', 'import jinja2']).status === 0;

describe('models/recipes scripts', () => {
  it('every Python script compiles and the shell script parses', () => {
    const scripts = readdirSync(RECIPES).filter((f) => f.endsWith('.py'));
    expect(scripts.sort()).toEqual(['chat_template.py', 'merge_lora.py', 'train_sft.py']);
    for (const s of scripts) {
      const r = run('python3', ['-m', 'py_compile', join(RECIPES, s)]);
      expect(r.status, `${s}: ${r.err}`).toBe(0);
    }
    const sh = run('bash', ['-n', join(RECIPES, 'convert_mlc.sh')]);
    expect(sh.status, sh.err).toBe(0);
  });

  it('pins every training requirement to one version', () => {
    const r = run('python3', [
      '-c',
      "import sys; lines=[l.strip() for l in open(sys.argv[1]) if l.strip() and not l.startswith('#')]; print('\\n'.join(lines))",
      join(RECIPES, 'requirements.txt'),
    ]);
    const lines = r.out.trim().split('\n');
    for (const name of ['torch', 'transformers', 'trl', 'peft', 'accelerate', 'datasets'])
      expect(
        lines.some((l) => l.startsWith(`${name}==`)),
        name,
      ).toBe(true);
    for (const l of lines) expect(l).toMatch(/^[a-z0-9-]+==\d+(\.\d+)*$/);
  });
});

describe('train_sft.py --check-data', () => {
  const profile = getPromptProfile('distilled');
  // The shape `playground distill` writes: system, task, then assistant/observation turns.
  const sample = {
    messages: [
      { role: 'system', content: profile.agentSystem },
      { role: 'user', content: `New task:\nWhat is 6*7?${profile.taskSuffix}` },
      { role: 'assistant', content: 'Thought: compute.\nCode:\n```py\nprint(6*7)\n```<end_code>' },
      {
        role: 'user',
        content: 'Observation:\nExecution logs:\n42\nLast output from code snippet:\nNone',
      },
      {
        role: 'assistant',
        content: 'Thought: done.\nCode:\n```py\nfinal_answer("\\\\boxed{42}")\n```<end_code>',
      },
    ],
  };
  const file = (name: string, lines: string[]): string => {
    const p = join(tmp, name);
    writeFileSync(p, lines.join('\n') + '\n');
    return p;
  };
  const check = (p: string) =>
    run('python3', [join(RECIPES, 'train_sft.py'), '--data', p, '--check-data']);

  it('accepts the SFT file playground distill writes and counts it', () => {
    const r = check(file('good.jsonl', [JSON.stringify(sample), '', JSON.stringify(sample)]));
    expect(r.status, r.err).toBe(0);
    expect(r.err).toMatch(/2 samples, 4 assistant turns/);
  });

  it('names the first bad line and why', () => {
    const endsWithUser = { messages: sample.messages.slice(0, 4) };
    let r = check(file('user-last.jsonl', [JSON.stringify(sample), JSON.stringify(endsWithUser)]));
    expect(r.status).toBe(1);
    expect(r.err).toMatch(/user-last\.jsonl:2: the last message is not an assistant turn/);
    r = check(file('cut.jsonl', ['{"messages": [']));
    expect(r.err).toMatch(/cut\.jsonl:1: not JSON/);
    const doubled = {
      messages: [...sample.messages.slice(0, 3), ...sample.messages.slice(2)],
    };
    r = check(file('doubled.jsonl', [JSON.stringify(doubled)]));
    expect(r.err).toMatch(/two assistant messages in a row/);
    r = check(file('empty.jsonl', ['']));
    expect(r.err).toMatch(/no samples/);
  });
});

describe('the training chat template', () => {
  // Renders with the same Jinja settings and {% generation %} tag transformers uses.
  const script = `
import json, sys
sys.path.insert(0, ${JSON.stringify(RECIPES)})
import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from chat_template import TRAINING_TEMPLATE, render_chatml

class Generation(Extension):
    tags = {"generation"}
    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_mark"), [], [], body).set_lineno(lineno)
    def _mark(self, caller):
        return "\\x01" + caller() + "\\x02"

env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, extensions=[Generation])
tpl = env.from_string(TRAINING_TEMPLATE)
out = []
for case in json.load(sys.stdin):
    text = tpl.render(messages=case["messages"], add_generation_prompt=case["gen"])
    spans, rest, i = [], "", 0
    while i < len(text):
        if text[i] == "\\x01":
            j = text.index("\\x02", i)
            spans.append(text[i + 1:j]); rest += text[i + 1:j]; i = j + 1
        else:
            rest += text[i]; i += 1
    out.append({"plain": rest, "reference": render_chatml(case["messages"], case["gen"]), "spans": spans})
print(json.dumps(out))
`;

  it.skipIf(!hasJinja)(
    'renders Qwen2.5 ChatML exactly and marks only the assistant replies',
    () => {
      const conv = [
        { role: 'system', content: 'S' },
        { role: 'user', content: 'New task:\nQ' },
        { role: 'assistant', content: 'Thought: a\nCode:\n```py\nprint(1)\n```<end_code>' },
        { role: 'user', content: 'Observation:\n1' },
        { role: 'assistant', content: 'Thought: b' },
      ];
      const cases = [
        { messages: conv, gen: false },
        { messages: conv.slice(1, 4), gen: true },
      ];
      const r = spawnSync('python3', ['-c', script], {
        input: JSON.stringify(cases),
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      const [full, noSystem] = JSON.parse(r.stdout) as {
        plain: string;
        reference: string;
        spans: string[];
      }[];
      expect(full?.plain).toBe(full?.reference);
      expect(full?.plain).toContain('<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nNew task:');
      expect(full?.spans).toEqual([
        'Thought: a\nCode:\n```py\nprint(1)\n```<end_code><|im_end|>',
        'Thought: b<|im_end|>',
      ]);
      expect(noSystem?.plain).toBe(noSystem?.reference);
      expect(noSystem?.plain).toMatch(/^<\|im_start\|>system\nYou are Qwen/);
      expect(noSystem?.plain.endsWith('<|im_start|>assistant\n')).toBe(true);
    },
  );
});

describe('convert_mlc.sh --dry-run', () => {
  it('converts both quantizations into models/<id>-<q>-MLC/resolve/main with the base library', () => {
    const r = run('bash', [
      join(RECIPES, 'convert_mlc.sh'),
      '--dry-run',
      '--model',
      '/work/merged',
      '--id',
      'agent-distilled-Qwen2.5-1.5B-Instruct',
      '--base',
      'Qwen2.5-1.5B-Instruct',
      '--models-dir',
      join(tmp, 'models'),
    ]);
    expect(r.status, r.err).toBe(0);
    const lines = r.out.trim().split('\n');
    for (const q of ['q4f16_1', 'q4f32_1']) {
      const out = join(
        tmp,
        'models',
        `agent-distilled-Qwen2.5-1.5B-Instruct-${q}-MLC`,
        'resolve',
        'main',
      );
      expect(lines).toContain(`mlc_llm convert_weight /work/merged --quantization ${q} -o ${out} `);
      expect(lines).toContain(
        `mlc_llm gen_config /work/merged --quantization ${q} --conv-template qwen2 --context-window-size 4096 --prefill-chunk-size 1024 -o ${out} `,
      );
      expect(
        lines.some(
          (l) => l.includes(`models entry`) && l.includes(`--base Qwen2.5-1.5B-Instruct-${q}-MLC`),
        ),
      ).toBe(true);
    }
  });

  it('refuses quantizations WebLLM has no prebuilt library for, and missing arguments', () => {
    const bad = run('bash', [
      join(RECIPES, 'convert_mlc.sh'),
      '--dry-run',
      '--model',
      'm',
      '--id',
      'x',
      '--base',
      'b',
      '--quant',
      'q0f16',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.err).toMatch(/q4f16_1 and q4f32_1 only/);
    expect(run('bash', [join(RECIPES, 'convert_mlc.sh'), '--id', 'x']).status).toBe(2);
  });
});
