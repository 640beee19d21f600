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
      return await models.engineFor(config.model);
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
