/** `playground distill` end to end: real server, real sandbox, real files (PROTOCOL 7 and 9). */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getPromptProfile } from '../../src/agent/prompt-profile.ts';
import { main } from '../../src/cli/main.ts';
import type { ChatMessage } from '../../src/agent/ports.ts';
import {
  startFakeOpenAIServer,
  type FakeOpenAIServer,
  type RecordedRequest,
} from '../helpers/fake-openai-server.ts';

const fewshot = getPromptProfile('fewshot');
const distilled = getPromptProfile('distilled');
const teacherProfile = getPromptProfile('teacher');

/** A teacher whose behaviour depends on the question: right, wrong, a parse error, max steps. */
function teacher(req: RecordedRequest): string {
  const messages = req.body.messages as ChatMessage[];
  const all = messages.map((m) => m.content).join('\n');
  const answer = all.includes('capital of France')
    ? 'Paris'
    : all.includes('two plus two')
      ? '5'
      : all.includes('parse')
        ? 'P'
        : 'Z';
  if (messages[0]?.content === fewshot.cotSystem)
    return `I recall the fact.\nIt is ${answer}.\n\nDone.\n<answer>${answer}</answer>`;
  if (messages[0]?.content === fewshot.fallbackSystem) return 'Z';
  const steps =
    messages.filter((m) => m.role === 'assistant').length -
    (req.body.continue_final_message ? 1 : 0);
  if (answer === 'P' && steps === 0) return 'Code:\nno fence here';
  if (answer === 'Z') return 'Code:\n```py\nx = 1\n```';
  return `Code:\n\`\`\`py\nfinal_answer("${answer}")\n\`\`\``;
}

let server: FakeOpenAIServer;
let dir: string;
beforeAll(async () => {
  server = await startFakeOpenAIServer({ fallback: teacher });
  dir = await mkdtemp(join(tmpdir(), 'distill-'));
  const questions = [
    { id: 'q1', question: 'What is the capital of France?', answer: 'Paris' },
    { id: 'q2', question: 'What is two plus two?', answer: '4' },
    { id: 'q3', question: 'Make a parse mistake first.', answer: 'P' },
    { id: 'q4', question: 'Never finish.', answer: 'Z' },
  ];
  await writeFile(
    join(dir, 'questions.jsonl'),
    questions.map((q) => JSON.stringify(q)).join('\n') + '\n',
  );
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const readJsonl = async (path: string): Promise<Record<string, unknown>[]> =>
  (await readFile(path, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('playground distill', () => {
  it('writes every trajectory, keeps only correct clean ones as SFT samples, and resumes', async () => {
    const out = join(dir, 'traj.jsonl');
    const args = [
      'distill',
      '--questions',
      join(dir, 'questions.jsonl'),
      '--kind',
      'factual',
      '--out',
      out,
      '--first-thought-prefix',
      '--base-url',
      server.baseUrl,
      '--model',
      'teacher',
      '--concurrency',
      '1',
      '--max-steps',
      '2',
    ];

    // An interrupted run: only the first question.
    expect(await main([...args, '--limit', '1'])).toBe(0);
    expect((await readJsonl(out)).map((t) => t.id)).toEqual(['q1']);
    const before = server.completionRequests().length;

    expect(await main(args)).toBe(0);
    const traj = await readJsonl(out);
    expect(traj.map((t) => [t.id, t.verdict, t.correct])).toEqual([
      ['q1', 'kept', true],
      ['q2', 'wrong', false],
      ['q3', 'parse-error', true],
      ['q4', 'max-steps', true],
    ]);
    // q1 was not asked again: 3 questions, each a CoT call plus agent steps.
    const asked = server
      .completionRequests()
      .slice(before)
      .map((r) => (r.body.messages as ChatMessage[])[1]?.content ?? '');
    expect(asked.some((c) => c.includes('capital of France'))).toBe(false);

    // The prefix went into step 1 only, and the stored first turn is prefix + continuation.
    const q1 = traj[0] as { firstThoughtPrefix: string; run: { messages: ChatMessage[] } };
    expect(q1.firstThoughtPrefix).toBe('Thought: I recall the fact.\nIt is Paris.\n\n');
    expect(q1.run.messages[2]?.content).toBe(
      'Thought: I recall the fact.\nIt is Paris.\n\nCode:\n```py\nfinal_answer("Paris")\n```<end_code>',
    );

    const sft = (await readJsonl(join(dir, 'traj.sft.jsonl'))) as unknown as {
      messages: ChatMessage[];
    }[];
    expect(sft).toHaveLength(3);
    expect(sft[0]?.messages[0]).toEqual({ role: 'system', content: distilled.agentSystem });
    expect(sft[0]?.messages.at(-1)?.role).toBe('assistant');
    expect(sft[0]?.messages).toHaveLength(3);
    // A correct max-steps run gives its steps (last observation dropped) and the fallback
    // conversation, as the reference's preprocessing does.
    expect(sft[1]?.messages[0]).toEqual({ role: 'system', content: distilled.agentSystem });
    expect(sft[1]?.messages.at(-1)?.role).toBe('assistant');
    expect(sft[1]?.messages).toHaveLength(5);
    expect(sft[2]?.messages[0]).toEqual({ role: 'system', content: distilled.fallbackSystem });
    expect(sft[2]?.messages.at(-1)).toEqual({ role: 'assistant', content: 'Z' });

    // The reference teacher's defaults: its long system prompt, greedy.
    const agentRequests = server
      .completionRequests()
      .filter((r) => (r.body.messages as ChatMessage[])[0]?.content === teacherProfile.agentSystem);
    expect(agentRequests.length).toBeGreaterThan(0);
    expect(agentRequests.every((r) => r.body.temperature === 0)).toBe(true);
  });
});
