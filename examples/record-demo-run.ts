/**
 * Records the run in examples/demo-deck.json: `playground ask --json` against the scripted
 * OpenAI-compatible server of the tests, with a two-passage index, so no model or GPU is needed.
 *
 *   node bin/run-ts.js examples/record-demo-run.ts > /tmp/run.json
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildIndexFromFiles } from '../src/search/node/index.ts';
import { startFakeOpenAIServer } from '../tests/helpers/fake-openai-server.ts';

const ROOT = resolve(import.meta.dirname, '..');
const MODEL = 'qwen2.5-0.5b-agent-distilled';
const QUESTION = 'How much taller is the Eiffel Tower than the Statue of Liberty, in metres?';

const fence = (thought: string, code: string): string =>
  `Thought: ${thought}\nCode:\n\`\`\`py\n${code}\n\`\`\``;

const work = await mkdtemp(join(tmpdir(), 'sap-demo-run-'));
const passages = [
  {
    id: '1',
    title: 'Eiffel Tower',
    text: 'The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris, France. It is 330 metres tall and was completed in 1889.',
  },
  {
    id: '2',
    title: 'Statue of Liberty',
    text: 'The Statue of Liberty is a colossal neoclassical sculpture on Liberty Island in New York Harbor. It is 93 metres tall including its pedestal.',
  },
];
await writeFile(join(work, 'passages.jsonl'), passages.map((p) => JSON.stringify(p)).join('\n'));
await buildIndexFromFiles({ inputs: [join(work, 'passages.jsonl')], out: join(work, 'index') });

// Delays stand in for generation time, so the replay has a rhythm.
const server = await startFakeOpenAIServer({
  model: MODEL,
  script: [
    {
      choices: [
        fence('I will look up both heights.', 'r = web_search("Eiffel Tower height")\nprint(r)'),
      ],
      usage: { prompt_tokens: 812, completion_tokens: 24 },
      delayMs: 300,
    },
    {
      choices: [
        fence(
          'The Eiffel Tower is 330 m and the Statue of Liberty 93 m; compute the difference.',
          'diff = 330 - 93\nprint(diff)',
        ),
      ],
      usage: { prompt_tokens: 1010, completion_tokens: 38 },
      delayMs: 400,
    },
    {
      choices: [fence('The difference is 237 metres.', 'final_answer(f"{diff} metres")')],
      usage: { prompt_tokens: 1070, completion_tokens: 20 },
      delayMs: 250,
    },
  ],
});

try {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin/playground.js'),
      'ask',
      '--json',
      '--base-url',
      server.baseUrl,
      '--model',
      MODEL,
      '--index',
      join(work, 'index'),
      QUESTION,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  // Async on purpose: the scripted server runs in this process and must keep answering.
  const code = await new Promise<number | null>((r) => child.on('close', r));
  process.exitCode = code ?? 1;
} finally {
  await server.close();
  await rm(work, { recursive: true, force: true });
}
