/**
 * A ChatEngine that answers with the outputs a recorded run got, call by call, so a saved run
 * replays through the real agent loop (and real Python) without a GPU or a server.
 */
import type { ChatEngine, ChatRequest, ChatResponse, TokenUsage } from '../agent/ports.ts';
import { PlaygroundError, throwIfAborted } from '../errors.ts';

export interface ReplayOptions {
  /** Characters streamed per tick for single samples; 0 sends each output at once. */
  charsPerTick?: number;
  tickMs?: number;
}

/** What a replay reads from a saved run (a RunRecord satisfies it): the model and its calls. */
export interface RecordedCalls {
  settings: { model: string };
  modelCalls: readonly { purpose: string; outputs: readonly string[]; usage?: TokenUsage }[];
}

export interface ReplayEngine extends ChatEngine {
  /** Calls not yet replayed. */
  remaining(): number;
}

export function createReplayEngine(run: RecordedCalls, options: ReplayOptions = {}): ReplayEngine {
  const calls = run.modelCalls.filter((c) => c.purpose !== 'first-thought');
  let next = 0;
  const chars = options.charsPerTick ?? 0;
  const tickMs = options.tickMs ?? 16;
  return {
    kind: 'replay',
    model: run.settings.model,
    remaining: () => calls.length - next,
    async chat(request: ChatRequest): Promise<ChatResponse> {
      throwIfAborted(request.signal);
      const call = calls[next];
      if (!call) {
        throw new PlaygroundError(
          'engine_bad_response',
          `The recorded run has only ${calls.length} model calls; the replay asked for more.`,
        );
      }
      next += 1;
      const n = request.n ?? 1;
      const outputs = Array.from(
        { length: n },
        (_, i) => call.outputs[Math.min(i, call.outputs.length - 1)] ?? '',
      );
      const started = performance.now();
      if (request.onToken) {
        for (const [i, text] of outputs.entries()) {
          if (chars <= 0 || n > 1) {
            request.onToken(text, i);
            continue;
          }
          for (let at = 0; at < text.length; at += chars) {
            throwIfAborted(request.signal);
            request.onToken(text.slice(at, at + chars), i);
            await new Promise((r) => setTimeout(r, tickMs));
          }
        }
      }
      return {
        choices: outputs.map((text) => ({ text, finishReason: 'stop' })),
        ...(call.usage && { usage: call.usage }),
        model: run.settings.model,
        latencyMs: performance.now() - started,
      };
    },
  };
}
