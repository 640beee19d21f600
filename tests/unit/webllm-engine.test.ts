import { describe, expect, it } from 'vitest';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  CompletionUsage,
} from '@mlc-ai/web-llm';
import { createWebLLMEngine, type WebLLMEngineLike } from '../../src/engines/webllm-engine.ts';
import { parseProgress } from '../../src/engines/webllm-loader.ts';
import { createReplayEngine } from '../../src/engines/replay-engine.ts';
import { PlaygroundError } from '../../src/errors.ts';
import type { RunRecord } from '../../src/agent/run-record.ts';

const usage: CompletionUsage = {
  prompt_tokens: 40,
  completion_tokens: 12,
  total_tokens: 52,
  extra: {
    e2e_latency_s: 0.5,
    prefill_tokens_per_s: 800,
    decode_tokens_per_s: 42,
    time_to_first_token_s: 0.05,
    time_per_output_token_s: 0.02,
  },
} as CompletionUsage;

/** A stand-in with web-llm's engine interface: records requests, plays scripted outputs. */
class StandInEngine implements WebLLMEngineLike {
  requests: ChatCompletionRequest[] = [];
  interrupted = 0;
  private stopNow = false;
  constructor(
    private outputs: string[],
    private opts: { chunkDelayMs?: number; fail?: Error } = {},
  ) {}
  chat = {
    completions: {
      create: async (
        req: ChatCompletionRequest,
      ): Promise<ChatCompletion | AsyncIterable<ChatCompletionChunk>> => {
        this.requests.push(req);
        if (this.opts.fail) throw this.opts.fail;
        if (req.stream) return this.stream(this.outputs[0] ?? '');
        const n = req.n ?? 1;
        return {
          id: 'c',
          object: 'chat.completion',
          created: 0,
          model: String(req.model),
          choices: Array.from({ length: n }, (_, i) => ({
            index: i,
            message: { role: 'assistant', content: this.outputs[i] ?? '' },
            finish_reason: 'stop',
            logprobs: null,
          })),
          usage,
        } as ChatCompletion;
      },
    },
  };
  interruptGenerate(): void {
    this.interrupted += 1;
    this.stopNow = true;
  }
  private async *stream(text: string): AsyncIterable<ChatCompletionChunk> {
    const words = text.match(/.{1,4}/gs) ?? [];
    for (const w of words) {
      if (this.stopNow) {
        yield chunk('', 'abort');
        return;
      }
      if (this.opts.chunkDelayMs) await new Promise((r) => setTimeout(r, this.opts.chunkDelayMs));
      yield chunk(w, null);
    }
    yield chunk('', 'stop');
    yield { ...chunk('', null), choices: [], usage };
  }
}

function chunk(content: string, finish: string | null): ChatCompletionChunk {
  return {
    id: 'c',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'm',
    choices: [
      {
        index: 0,
        delta: { content, role: 'assistant' },
        finish_reason: finish,
      },
    ],
  } as ChatCompletionChunk;
}

const messages = [
  { role: 'system' as const, content: 'sys' },
  { role: 'user' as const, content: 'New task:\nWhat is 2+2?' },
];

describe('WebLLM ChatEngine adapter', () => {
  it('streams a single sample and maps sampling options and usage', async () => {
    const stand = new StandInEngine(['Thought: add.\n```py\nprint(2+2)\n```']);
    const engine = createWebLLMEngine(stand, 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC');
    const deltas: string[] = [];
    const res = await engine.chat({
      messages,
      temperature: 0.4,
      topP: 0.8,
      maxTokens: 1024,
      stop: ['<end_code>', 'Observation:'],
      seed: 7,
      onToken: (d) => deltas.push(d),
    });
    expect(engine.kind).toBe('webllm');
    const req = stand.requests[0];
    expect(req).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      n: 1,
      temperature: 0.4,
      top_p: 0.8,
      max_tokens: 1024,
      stop: ['<end_code>', 'Observation:'],
      seed: 7,
      model: 'Qwen2.5-0.5B-Instruct-q4f32_1-MLC',
    });
    expect(req?.messages).toEqual(messages);
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join('')).toBe(res.choices[0]?.text);
    expect(res.choices[0]?.finishReason).toBe('stop');
    expect(res.usage).toEqual({
      promptTokens: 40,
      completionTokens: 12,
      prefillTokensPerSecond: 800,
      decodeTokensPerSecond: 42,
    });
  });

  it('asks for n samples unstreamed (web-llm streams single samples only)', async () => {
    const stand = new StandInEngine(['a', 'b', 'c']);
    const engine = createWebLLMEngine(stand, 'm');
    const got: Array<[string, number]> = [];
    const res = await engine.chat({ messages, n: 3, onToken: (d, i) => got.push([d, i]) });
    expect(stand.requests[0]?.stream).toBe(false);
    expect(stand.requests[0]?.n).toBe(3);
    expect(res.choices.map((c) => c.text)).toEqual(['a', 'b', 'c']);
    expect(got).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
    expect(res.usage?.decodeTokensPerSecond).toBe(42);
  });

  it('stops generation through interruptGenerate and reports the abort', async () => {
    const stand = new StandInEngine([Array.from({ length: 200 }, (_, i) => `w${i} `).join('')], {
      chunkDelayMs: 2,
    });
    const engine = createWebLLMEngine(stand, 'm');
    const ctl = new AbortController();
    let seen = 0;
    const run = engine.chat({
      messages,
      signal: ctl.signal,
      onToken: () => {
        seen += 1;
        if (seen === 5) ctl.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'aborted' });
    expect(stand.interrupted).toBe(1);
    expect(seen).toBeLessThan(20);
  });

  it('refuses assistant-prefix continuation, which web-llm cannot do', async () => {
    const engine = createWebLLMEngine(new StandInEngine(['x']), 'm');
    await expect(
      engine.chat({
        messages: [...messages, { role: 'assistant', content: 'Thought: ' }],
        continueFinalMessage: true,
      }),
    ).rejects.toMatchObject({ code: 'engine_unsupported' });
  });

  it('names device loss and out-of-memory so the UI can offer a smaller model', async () => {
    const lost = new Error('The WebGPU device was lost while loading the model.');
    lost.name = 'DeviceLostError';
    await expect(
      createWebLLMEngine(new StandInEngine([], { fail: lost }), 'm').chat({ messages }),
    ).rejects.toMatchObject({ code: 'device_lost' });
    await expect(
      createWebLLMEngine(new StandInEngine([], { fail: new Error('Out of memory') }), 'm').chat({
        messages,
      }),
    ).rejects.toMatchObject({ code: 'out_of_memory' });
    await expect(
      createWebLLMEngine(
        new StandInEngine([], { fail: new TypeError('Failed to fetch') }),
        'm',
      ).chat({
        messages,
      }),
    ).rejects.toMatchObject({ code: 'engine_unreachable', message: /could not be downloaded/ });
    const other = createWebLLMEngine(new StandInEngine([], { fail: new Error('boom') }), 'm');
    await expect(other.chat({ messages })).rejects.toBeInstanceOf(PlaygroundError);
  });
});

describe('load progress', () => {
  it('reads bytes, percent and ETA from web-llm reports', () => {
    const p = parseProgress({
      progress: 0.25,
      timeElapsed: 10,
      text: 'Fetching param cache[6/24]: 300MB fetched. 25% completed, 10 secs elapsed. It can take a while.',
    });
    expect(p).toMatchObject({ phase: 'fetch', fraction: 0.25, doneMB: 300, totalMB: 1200 });
    expect(p.etaS).toBeCloseTo(30);
    expect(p.speedMBps).toBeCloseTo(30);
    const s = parseProgress({
      progress: 0.5,
      timeElapsed: 1,
      text: 'Loading GPU shader modules[5/10]: 50% completed, 1 secs elapsed.',
    });
    expect(s.phase).toBe('shaders');
    expect(s.doneMB).toBeNull();
    expect(s.speedMBps).toBeNull();
    expect(
      parseProgress({ progress: 0, timeElapsed: 0, text: 'Start to fetch params' }).etaS,
    ).toBeNull();
  });
});

describe('replay engine', () => {
  it('answers with the recorded outputs in order, streaming single samples', async () => {
    const run = {
      settings: { model: 'rec-model' },
      modelCalls: [
        { purpose: 'step', outputs: ['one'], usage: { promptTokens: 1, completionTokens: 2 } },
        { purpose: 'step', outputs: ['x', 'y'] },
      ],
    } as unknown as RunRecord;
    const engine = createReplayEngine(run, { charsPerTick: 1, tickMs: 0 });
    const deltas: string[] = [];
    const a = await engine.chat({ messages, onToken: (d) => deltas.push(d) });
    expect(a.choices[0]?.text).toBe('one');
    expect(deltas).toEqual(['o', 'n', 'e']);
    const b = await engine.chat({ messages, n: 2 });
    expect(b.choices.map((c) => c.text)).toEqual(['x', 'y']);
    expect(engine.remaining()).toBe(0);
    await expect(engine.chat({ messages })).rejects.toMatchObject({ code: 'engine_bad_response' });
  });
});

describe('WebLLM sample-by-sample progress', () => {
  it('asks for SAG samples one at a time when the caller wants progress, with distinct seeds', async () => {
    const outputs = ['a', 'b', 'c'];
    const stand = new StandInEngine([]);
    const seen: ChatCompletionRequest[] = [];
    stand.chat.completions.create = async (req) => {
      seen.push(req);
      const text = outputs[seen.length - 1] ?? '';
      return {
        id: 'c',
        object: 'chat.completion',
        created: 0,
        model: String(req.model),
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: text },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
        usage,
      } as ChatCompletion;
    };
    const engine = createWebLLMEngine(stand, 'm');
    const progress: number[] = [];
    const res = await engine.chat({
      messages: [{ role: 'user', content: 'q' }],
      n: 3,
      seed: 10,
      onSample: (i) => progress.push(i),
    });
    expect(res.choices.map((c) => c.text)).toEqual(['a', 'b', 'c']);
    expect(progress).toEqual([0, 1, 2]);
    expect(seen.map((r) => [r.n, r.seed, r.stream])).toEqual([
      [1, 10, false],
      [1, 11, false],
      [1, 12, false],
    ]);
    expect(res.usage?.completionTokens).toBe(36);
  });
});
