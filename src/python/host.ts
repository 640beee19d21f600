/**
 * The sandbox as the agent sees it: a PythonSandbox over any transport (Web Worker in the browser,
 * a permission-restricted child process in Node). It serialises requests, answers tool calls,
 * enforces the time limit (interrupt first, then terminate and restart) and reports state loss.
 */
import { PlaygroundError, runStopped } from '../errors.ts';
import type { JsonValue } from '../json.ts';
import type { HostMessage, RawResult, RuntimeConfig, RuntimeMessage } from './protocol.ts';
import { checkRuntimeMessage } from './protocol-check.ts';
import type {
  ExecuteOptions,
  ExecutionResult,
  PythonSandbox,
  SandboxError,
  SandboxTool,
  ToolCallRecord,
} from '../agent/ports.ts';
import type { SandboxTransport, TransportFactory } from './transport.ts';

export interface SandboxHostOptions {
  tools?: SandboxTool[];
  /** Default per-execution limit; 20 s. */
  timeoutMs?: number;
  /** How long an interrupted execution may take to stop before the runtime is restarted; 2 s. */
  interruptGraceMs?: number;
  /** Limit for loading Pyodide; 120 s. */
  startTimeoutMs?: number;
  /** Everything the runtime needs except the tools, which come from `tools`. */
  runtime?: Omit<RuntimeConfig, 'tools'>;
  /**
   * Hears every message from the runtime that was dropped (malformed, forged, out of place);
   * default: a line on the console, at most MAX_DROP_LOGS per host.
   */
  onDroppedMessage?: (reason: string) => void;
}

const MAX_DROP_LOGS = 20;

export const DEFAULT_TIMEOUT_MS = 20_000;

type Outcome =
  | { kind: 'result'; result: RawResult }
  | { kind: 'done'; ok: boolean }
  | { kind: 'error'; message: string }
  | { kind: 'hung' }
  | { kind: 'exit'; reason: string; cause?: 'memory' };

interface ActiveRequest {
  id: number;
  toolCalls: ToolCallRecord[];
  /** Fires when the step is interrupted or over, so a slow tool can stop too. */
  signal: AbortSignal;
  settle(outcome: Outcome): void;
}

interface Runtime {
  transport: SandboxTransport;
  generation: number;
  ready: Promise<void>;
}

export class SandboxHost implements PythonSandbox {
  private readonly tools: Map<string, SandboxTool>;
  private readonly config: RuntimeConfig;
  private runtime: Runtime | null = null;
  private generation = 0;
  private seq = 0;
  private active: ActiveRequest | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** A restart happened that no result has reported yet. */
  private lostUnreported = false;
  private disposed = false;
  private candidates: { count: number; generation: number; slots: Set<number> } | null = null;
  /** Milliseconds the last (re)start took; for the benchmark. */
  lastStartMs = 0;
  /** What the running runtime reported about its isolation (Node: the permission model probe). */
  isolation: Record<string, string> = {};
  /** Messages from runtimes that were dropped, not acted on. */
  droppedMessages = 0;

  constructor(
    private readonly factory: TransportFactory,
    private readonly options: SandboxHostOptions = {},
  ) {
    this.tools = new Map((options.tools ?? []).map((t) => [t.name, t]));
    this.config = {
      ...options.runtime,
      tools: (options.tools ?? []).map((t) => ({ name: t.name, params: [...t.params] })),
    };
  }

  start(): Promise<void> {
    return this.serial(() => this.ensureRuntime().then(() => undefined));
  }

  reset(): Promise<void> {
    return this.serial(async () => {
      // Whatever the outcome, the next step starts from an empty state: a failed or hung reset has
      // replaced the interpreter, which is just as empty.
      await this.request((id) => ({ type: 'reset', id }), 10_000, undefined);
      this.candidates = null;
      this.lostUnreported = false;
    });
  }

  checkSyntax(code: string): Promise<boolean> {
    return this.serial(async () => {
      const out = await this.request(
        (id) => ({ type: 'check_syntax', id, code }),
        10_000,
        undefined,
      );
      if (out.outcome.kind !== 'done')
        throw new PlaygroundError('python_crashed', 'The Python sandbox did not answer.');
      return out.outcome.ok;
    });
  }

  execute(code: string, options: ExecuteOptions = {}): Promise<ExecutionResult> {
    return this.serial(async () => {
      this.candidates = null;
      const limit = options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const started = performance.now();
      const out = await this.request(
        (id) => ({ type: 'execute', id, code }),
        limit,
        options.signal,
      );
      return this.finish(out, limit, started);
    });
  }

  executeCandidates(
    codes: readonly string[],
    options: ExecuteOptions = {},
  ): Promise<ExecutionResult[]> {
    return this.serial(async () => {
      this.candidates = null;
      const limit = options.timeoutMs ?? this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const results: ExecutionResult[] = [];
      let slots = new Set<number>();
      let restarted = false;
      for (const [slot, code] of codes.entries()) {
        const started = performance.now();
        const before = this.generation;
        const out = await this.request(
          (id) => ({ type: 'candidate', id, slot, code }),
          limit,
          options.signal,
        );
        const result = this.finish(out, limit, started);
        if (result.stateLost || this.generation !== before) {
          restarted = true;
          slots = new Set();
        } else if (out.outcome.kind === 'result') {
          slots.add(slot);
        }
        results.push(result);
      }
      // After a restart every candidate's pre-step state is gone, whichever is adopted.
      if (restarted) for (const r of results) r.stateLost = true;
      this.candidates = { count: codes.length, generation: this.generation, slots };
      return results;
    });
  }

  adoptCandidate(index: number): Promise<void> {
    return this.serial(async () => {
      const c = this.candidates;
      if (!c || !Number.isInteger(index) || index < 0 || index >= c.count)
        throw new PlaygroundError(
          'bad_input',
          `No candidate ${index} to adopt: run executeCandidates first.`,
        );
      this.candidates = null;
      // A restart during the batch already reset the state; nothing is left to adopt.
      if (!c.slots.has(index) || c.generation !== this.generation) return;
      const out = await this.request(
        (id) => ({ type: 'adopt', id, slot: index }),
        10_000,
        undefined,
      );
      if (out.outcome.kind !== 'done' || !out.outcome.ok)
        throw new PlaygroundError(
          'python_crashed',
          `Could not adopt the state of candidate ${index}.`,
        );
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.runtime?.transport.terminate();
    this.runtime = null;
  }

  // ------------------------------------------------------------------ internals

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.disposed)
        throw new PlaygroundError('python_crashed', 'The Python sandbox was disposed.');
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private ensureRuntime(): Promise<Runtime> {
    const current = this.runtime;
    if (current) return current.ready.then(() => current);
    const runtime = this.spawn();
    return runtime.ready.then(() => runtime);
  }

  private spawn(): Runtime {
    const generation = ++this.generation;
    const started = performance.now();
    let readyResolve!: () => void;
    let readyReject!: (e: unknown) => void;
    const ready = new Promise<void>((res, rej) => {
      readyResolve = res;
      readyReject = rej;
    });
    let isReady = false;
    const timer = setTimeout(() => {
      if (isReady) return;
      readyReject(new PlaygroundError('python_start_failed', 'Pyodide did not start in time.'));
      transport.terminate();
      if (this.runtime === runtime) this.runtime = null;
    }, this.options.startTimeoutMs ?? 120_000);
    const transport = this.factory({
      onMessage: (raw) => {
        if (this.runtime !== runtime) return;
        const checked = checkRuntimeMessage(raw);
        if (!checked.ok) {
          this.drop(checked.reason);
          return;
        }
        const msg = checked.message;
        // Start-up messages only before start-up is over, and the rest only after.
        const startup = msg.type === 'ready' || msg.type === 'start_failed';
        if (startup && isReady) {
          this.drop(`a second '${msg.type}' message`);
          return;
        }
        if (!startup && !isReady) {
          this.drop(`'${msg.type}' before start-up finished`);
          return;
        }
        if (msg.type === 'ready') {
          isReady = true;
          clearTimeout(timer);
          this.lastStartMs = performance.now() - started;
          this.isolation = msg.isolation ?? {};
          readyResolve();
        } else if (msg.type === 'start_failed') {
          clearTimeout(timer);
          this.runtime = null;
          transport.terminate();
          readyReject(PlaygroundError.fromSerialized(msg.error));
        } else {
          this.onRuntimeMessage(msg);
        }
      },
      onDropped: (reason) => {
        if (this.runtime === runtime) this.drop(reason);
      },
      onExit: (reason, cause) => {
        if (this.runtime !== runtime) return;
        clearTimeout(timer);
        this.runtime = null;
        if (!isReady) {
          readyReject(
            new PlaygroundError(
              'python_start_failed',
              `The Python sandbox could not start: ${reason}`,
            ),
          );
          return;
        }
        this.lostUnreported = true;
        this.active?.settle({ kind: 'exit', reason, ...(cause ? { cause } : {}) });
      },
    });
    const runtime: Runtime = { transport, generation, ready };
    this.runtime = runtime;
    ready.catch(() => undefined);
    transport.send({ type: 'init', config: this.config });
    return runtime;
  }

  /** A message the runtime sent that is not acted on; runtimes run model code. */
  private drop(reason: string): void {
    this.droppedMessages++;
    const text = `Dropped a message from the Python sandbox: ${reason}.`;
    if (this.options.onDroppedMessage) this.options.onDroppedMessage(text);
    else if (this.droppedMessages <= MAX_DROP_LOGS) console.warn(`playground: ${text}`);
  }

  private onRuntimeMessage(msg: RuntimeMessage): void {
    const a = this.active;
    switch (msg.type) {
      case 'result':
        if (a?.id === msg.id) a.settle({ kind: 'result', result: msg.result });
        return;
      case 'done':
        if (a?.id === msg.id) a.settle({ kind: 'done', ok: msg.ok });
        return;
      case 'error':
        if (a?.id === msg.id) a.settle({ kind: 'error', message: msg.error.message });
        return;
      case 'tool_call':
        void this.callTool(msg.callId, msg.name, msg.args, a);
        return;
      default:
        return;
    }
  }

  private async callTool(
    callId: number,
    name: string,
    args: Record<string, JsonValue>,
    request: ActiveRequest | null,
  ): Promise<void> {
    const runtime = this.runtime;
    const tool = this.tools.get(name);
    const started = performance.now();
    let reply: { ok: true; text: string } | { ok: false; message: string };
    try {
      if (!request) throw new Error('the step it belonged to is over');
      if (!tool) throw new Error(`unknown tool ${name}`);
      const result = await tool.call(args, request?.signal);
      const text = typeof result.text === 'string' ? result.text : String(result.text);
      request?.toolCalls.push({
        name,
        args,
        text,
        ...(result.data !== undefined ? { data: result.data } : {}),
        durationMs: performance.now() - started,
      });
      reply = { ok: true, text };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      reply = { ok: false, message: `${name} failed: ${message}` };
    }
    if (this.runtime === runtime) runtime?.transport.send({ type: 'tool_result', callId, reply });
  }

  /** Sends one request and waits for its outcome, interrupting and restarting as needed. */
  private async request(
    build: (id: number) => HostMessage,
    limitMs: number,
    signal: AbortSignal | undefined,
  ): Promise<{
    outcome: Outcome;
    toolCalls: ToolCallRecord[];
    interruptedFor: 'timeout' | 'abort' | null;
  }> {
    if (signal?.aborted) throw runStopped();
    const runtime = await this.ensureRuntime();
    const id = ++this.seq;
    const toolCalls: ToolCallRecord[] = [];
    let interruptedFor: 'timeout' | 'abort' | null = null;
    const timers: ReturnType<typeof setTimeout>[] = [];
    let onAbort: (() => void) | null = null;
    const toolAbort = new AbortController();
    const outcome = await new Promise<Outcome>((resolve) => {
      let settled = false;
      const settle = (o: Outcome): void => {
        if (settled) return;
        settled = true;
        resolve(o);
      };
      this.active = { id, toolCalls, signal: toolAbort.signal, settle };
      const interrupt = (reason: 'timeout' | 'abort'): void => {
        if (interruptedFor) return;
        interruptedFor = reason;
        toolAbort.abort();
        runtime.transport.send({ type: 'interrupt' });
        // The second, short timer lets a reply that is already queued be handled first: after the
        // host's own event loop stalls, timers run before pending I/O, and a responsive
        // interpreter must not be killed (losing the user's variables) for the host's delay.
        const giveUp = (): void => {
          timers.push(setTimeout(() => settle({ kind: 'hung' }), 50));
        };
        timers.push(setTimeout(giveUp, this.options.interruptGraceMs ?? 2000));
      };
      timers.push(setTimeout(() => interrupt('timeout'), limitMs));
      if (signal) {
        onAbort = () => interrupt('abort');
        signal.addEventListener('abort', onAbort, { once: true });
      }
      runtime.transport.send(build(id));
    });
    for (const t of timers) clearTimeout(t);
    toolAbort.abort();
    if (signal && onAbort) signal.removeEventListener('abort', onAbort);
    this.active = null;
    if (outcome.kind === 'hung') {
      // The interrupt did not land (time.sleep, a C loop, a swallowed KeyboardInterrupt).
      runtime.transport.terminate();
      if (this.runtime === runtime) this.runtime = null;
      this.lostUnreported = true;
      // Restart now so the next step does not pay for it.
      if (!this.disposed) this.spawn().ready.catch(() => undefined);
    } else if (outcome.kind === 'exit' && !this.disposed) {
      this.spawn().ready.catch(() => undefined);
    } else if (outcome.kind === 'error') {
      // A JavaScript-level failure inside Pyodide (e.g. a native stack overflow) can leave the
      // interpreter in a fatal state: replace it rather than trust it.
      runtime.transport.terminate();
      if (this.runtime === runtime) this.runtime = null;
      this.lostUnreported = true;
      if (!this.disposed) this.spawn().ready.catch(() => undefined);
    }
    if (interruptedFor === 'abort') throw runStopped();
    return { outcome, toolCalls, interruptedFor };
  }

  private finish(
    out: {
      outcome: Outcome;
      toolCalls: ToolCallRecord[];
      interruptedFor: 'timeout' | 'abort' | null;
    },
    limitMs: number,
    started: number,
  ): ExecutionResult {
    const { outcome, toolCalls } = out;
    const durationMs = performance.now() - started;
    const seconds = formatSeconds(limitMs);
    let result: ExecutionResult;
    if (outcome.kind === 'result' && out.interruptedFor !== 'timeout') {
      const r = outcome.result;
      result = {
        status: r.status,
        logs: r.logs,
        output: r.status === 'error' ? '' : (r.output ?? ''),
        stateLost: false,
        toolCalls,
        durationMs,
      };
      if (r.finalAnswer) result.finalAnswer = r.finalAnswer;
      if (r.error)
        result.error = { kind: r.error.kind, type: r.error.type, message: r.error.message };
    } else if (outcome.kind === 'result') {
      const line = outcome.result.error?.line;
      const at = line ? ` at line '${line}'` : '';
      result = errorResult(
        {
          kind: 'timeout',
          type: 'TimeoutError',
          message: `Code execution failed${at} due to: TimeoutError: the code ran longer than the time limit of ${seconds} and was stopped.`,
        },
        outcome.result.logs,
        toolCalls,
        durationMs,
        false,
      );
    } else if (outcome.kind === 'hung') {
      result = errorResult(
        {
          kind: 'timeout',
          type: 'TimeoutError',
          message: `Code execution failed due to: TimeoutError: the code ran longer than the time limit of ${seconds} and could not be interrupted, so the Python interpreter was restarted. All variables and imports from earlier steps are lost.`,
        },
        '',
        toolCalls,
        durationMs,
        true,
      );
    } else if (outcome.kind === 'exit' && outcome.cause === 'memory') {
      result = errorResult(
        {
          kind: 'crash',
          type: 'MemoryError',
          message: `Code execution failed due to: MemoryError: the code ${outcome.reason}, so the Python interpreter was restarted. All variables and imports from earlier steps are lost.`,
        },
        '',
        toolCalls,
        durationMs,
        true,
      );
    } else if (outcome.kind === 'exit') {
      result = errorResult(
        {
          kind: 'crash',
          type: 'RuntimeError',
          message: `Code execution failed due to: RuntimeError: the Python interpreter crashed (${outcome.reason}) and was restarted. All variables and imports from earlier steps are lost.`,
        },
        '',
        toolCalls,
        durationMs,
        true,
      );
    } else if (outcome.kind === 'error') {
      result = errorResult(
        {
          kind: 'crash',
          type: 'RuntimeError',
          message: `Code execution failed due to: RuntimeError: the Python interpreter failed (${outcome.message}) and was restarted. All variables and imports from earlier steps are lost.`,
        },
        '',
        toolCalls,
        durationMs,
        true,
      );
    } else {
      throw new PlaygroundError('internal', 'Unexpected reply from the Python sandbox.');
    }
    if (this.lostUnreported) {
      result.stateLost = true;
      this.lostUnreported = false;
    }
    return result;
  }
}

function errorResult(
  error: SandboxError,
  logs: string,
  toolCalls: ToolCallRecord[],
  durationMs: number,
  stateLost: boolean,
): ExecutionResult {
  return { status: 'error', logs, output: '', error, stateLost, toolCalls, durationMs };
}

function formatSeconds(ms: number): string {
  const s = Number((ms / 1000).toFixed(2));
  return `${s} second${s === 1 ? '' : 's'}`;
}
