import type { HostMessage } from './protocol.ts';

/** What the host hears from one runtime instance. */
export interface TransportEvents {
  /** Untrusted: the runtime runs model code, so the host checks every message (protocol-check.ts). */
  onMessage(message: unknown): void;
  /** Bytes from the runtime that were not a message at all: dropped and logged by the host. */
  onDropped?(reason: string): void;
  /**
   * The runtime is gone (crashed, killed, exited); no message follows. 'memory': it went over
   * its memory limit and was stopped for it (Node only: a browser gives no such figure).
   */
  onExit(reason: string, cause?: 'memory'): void;
}

/** One running runtime (a Web Worker, or a Node child process); thrown away on restart. */
export interface SandboxTransport {
  send(message: HostMessage): void;
  /** Stops the runtime at once, even in the middle of Python code. */
  terminate(): void;
}

export type TransportFactory = (events: TransportEvents) => SandboxTransport;
