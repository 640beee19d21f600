/** Where a run's engine comes from: the loaded WebLLM model, or an OpenAI-compatible server. */
import type { ChatEngine } from '../engines/chat-engine.ts';
import { PlaygroundError } from '../errors.ts';
import type { RunConfig } from './lib/run-config.ts';
import { models } from './models.svelte.ts';

export async function provideEngine(config: RunConfig, signal: AbortSignal): Promise<ChatEngine> {
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
