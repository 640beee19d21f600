import type { HostMessage, RuntimeMessage } from './protocol.ts';

/** What the host hears from one runtime instance. */
export interface TransportEvents {
  onMessage(message: RuntimeMessage): void;
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
