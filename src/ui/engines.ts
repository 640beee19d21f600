/**
 * Where a run's engine comes from: the loaded WebLLM model, an OpenAI-compatible server, or a
 * recorded run replayed (no GPU, no server; its Python steps still run in the browser sandbox).
 */
// Static: the history views load run-file.ts up front anyway, so a dynamic import gains nothing.
import { parseRunFile, validateRunRecord } from '../records/run-file.ts';
import type { RunRecord } from '../agent/run-record.ts';
import type { ChatEngine } from '../agent/ports.ts';
import { PlaygroundError } from '../errors.ts';
import { isPlainObject } from '../json.ts';
import type { RunConfig } from './lib/run-config.ts';
import { chooseBrowserEngine } from '../engines/engine-choice.ts';
import { cpuModels } from './cpu-models.svelte.ts';
import { models, registry } from './models.svelte.ts';

export async function provideEngine(config: RunConfig, signal: AbortSignal): Promise<ChatEngine> {
  if (config.engine === 'replay') {
    const [run, { createReplayEngine }] = await Promise.all([
      loadRecordedRun(config.runUrl ?? '', signal),
      import('../engines/replay-engine.ts'),
    ]);
    return createReplayEngine(run);
  }
  if (config.engine === 'webllm' || config.engine === 'wllama') {
    // Only the automatic choice needs the WebGPU check; asking for the CPU skips it.
    const gpu = config.engine === 'webllm' ? await models.check() : null;
    const choice = gpu
      ? chooseBrowserEngine('webllm', config.model, gpu, registry)
      : chooseBrowserEngine('wllama', config.model, { status: 'ok', message: '' }, registry);
    if (choice.engine === 'wllama') {
      cpuModels.note = choice.note;
      const stop = () => cpuModels.cancel();
      signal.addEventListener('abort', stop, { once: true });
      try {
        return await cpuModels.engineFor(choice.cpuModel);
      } finally {
        signal.removeEventListener('abort', stop);
      }
    }
  }
  if (config.engine === 'webllm') {
    const stop = () => models.cancel();
    signal.addEventListener('abort', stop, { once: true });
    try {
      return watchGpu(await models.engineFor(config.model));
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }
  if (!config.baseUrl.trim() || !config.modelName.trim()) {
    throw new PlaygroundError(
      'bad_input',
      'Give the server URL (e.g. http://127.0.0.1:8000/v1) and the model name it serves.',
    );
  }
  const { createOpenAIEngine } = await import('../engines/openai-engine.ts');
  return createOpenAIEngine({
    baseUrl: config.baseUrl.trim(),
    model: config.modelName.trim(),
    ...(config.apiKey && { apiKey: config.apiKey }),
  });
}

/** A lost device or exhausted GPU memory mid-run also tells the model manager, which drops the
 * model and offers a smaller one. */
function watchGpu(engine: ChatEngine): ChatEngine {
  return {
    kind: engine.kind,
    model: engine.model,
    async chat(request) {
      try {
        return await engine.chat(request);
      } catch (err) {
        const e = PlaygroundError.from(err);
        if (e.code === 'device_lost' || e.code === 'out_of_memory') models.report(e.toJSON());
        throw e;
      }
    },
  };
}

const recorded = new Map<string, Promise<RunRecord>>();

/**
 * The recorded run at `url`: a runs file (src/records/run-file.ts; its first run) or a bare
 * RunRecord, checked like an import. Kept per URL, so the question and the replay read it once.
 */
export function loadRecordedRun(url: string, signal?: AbortSignal): Promise<RunRecord> {
  if (!url.trim()) {
    return Promise.reject(
      new PlaygroundError('bad_input', 'Give the URL of a recorded run (runUrl=…) to replay.'),
    );
  }
  const key = new URL(url, location.href).href;
  let p = recorded.get(key);
  if (!p) {
    p = fetchRecordedRun(key, signal);
    recorded.set(key, p);
    p.catch(() => recorded.delete(key));
  }
  return p;
}

async function fetchRecordedRun(url: string, signal?: AbortSignal): Promise<RunRecord> {
  let text: string;
  try {
    const res = await fetch(url, signal ? { signal } : {});
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    text = await res.text();
  } catch (err) {
    if (signal?.aborted) throw new PlaygroundError('aborted', 'Stopped.');
    throw new PlaygroundError(
      'data_missing',
      `Could not load the recorded run ${url} (${(err as Error).message}).`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new PlaygroundError('data_invalid', `The recorded run ${url} is not JSON.`);
  }
  if (isPlainObject(value) && 'format' in value) {
    const first = parseRunFile(text).runs[0];
    if (!first) throw new PlaygroundError('data_invalid', `The runs file ${url} holds no run.`);
    return first;
  }
  return validateRunRecord(value);
}

/** Settings that shape the agent loop come from the recording, so the replay takes its path. */
export function replayConfig(c: RunConfig, run: RunRecord): RunConfig {
  const s = run.settings;
  return {
    ...c,
    engine: 'replay',
    mode: s.mode,
    profile: s.promptProfile,
    maxSteps: s.maxSteps,
    samples: s.samples,
    temperature: s.temperature,
    topP: s.topP,
    maxTokens: s.maxTokens,
    pythonTimeoutS: s.pythonTimeoutMs / 1000,
    seed: s.seed ?? null,
  };
}
