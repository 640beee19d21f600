/**
 * Sits in the thread that owns the Pyodide worker (the page's main thread, or the Node sandbox
 * child's main thread). It owns the shared buffers: interrupts and tool replies are written here,
 * synchronously, because the worker is blocked in Python and cannot read messages.
 */
import type {
  HostMessage,
  RuntimeConfig,
  RuntimeMessage,
  WorkerInbound,
  WorkerOutbound,
} from './protocol.ts';
import { createToolBuffer, ToolChannelWriter } from './tool-channel.ts';

/** The worker as the link sees it: Web Worker and worker_threads both fit. */
export interface WorkerEndpoint {
  postMessage(message: WorkerInbound): void;
}

export class RuntimeLink {
  private readonly interruptBuffer = new SharedArrayBuffer(4);
  private readonly interrupt = new Int32Array(this.interruptBuffer);
  private readonly toolBuffer = createToolBuffer();
  private readonly writer = new ToolChannelWriter(this.toolBuffer);
  /** Set by an interrupt until the next request, so a tool call racing the interrupt is cancelled. */
  private interrupted = false;
  private pendingCall: number | null = null;

  constructor(
    private readonly worker: WorkerEndpoint,
    private readonly toHost: (message: RuntimeMessage) => void,
  ) {}

  /** A message from the host. */
  fromHost(msg: HostMessage): void {
    switch (msg.type) {
      case 'init':
        this.init(msg.config);
        return;
      case 'interrupt':
        this.interrupted = true;
        Atomics.store(this.interrupt, 0, 2);
        if (this.pendingCall !== null) {
          this.pendingCall = null;
          this.writer.cancel();
        }
        return;
      case 'tool_result':
        if (msg.callId !== this.pendingCall) return;
        this.pendingCall = null;
        this.writer.reply(msg.callId, JSON.stringify(msg.reply));
        return;
      default:
        this.interrupted = false;
        Atomics.store(this.interrupt, 0, 0);
        this.worker.postMessage(msg);
    }
  }

  /** A message from the worker. */
  fromWorker(msg: WorkerOutbound): void {
    if (msg.type === 'tool_chunk_ack') {
      this.writer.ack(msg.callId);
      return;
    }
    if (msg.type === 'tool_call') {
      if (this.interrupted) {
        this.writer.cancel();
        return;
      }
      this.pendingCall = msg.callId;
    }
    this.toHost(msg);
  }

  private init(config: RuntimeConfig): void {
    this.worker.postMessage({
      type: 'init',
      config,
      interrupt: this.interruptBuffer,
      tool: this.toolBuffer,
    });
  }
}
