/** Progress for setup downloads: bars on a terminal, one line per finished file otherwise. */
import { MultiBar, Presets, type SingleBar } from 'cli-progress';

export interface FileProgress {
  start(name: string, total: number | null): void;
  bytes(name: string, received: number, total: number | null): void;
  finish(name: string, status: string): void;
  stop(): void;
}

/** Says nothing: a retry of what was already reported (`setup --if-missing` on every start). */
export const silentProgress: FileProgress = {
  start: () => undefined,
  bytes: () => undefined,
  finish: () => undefined,
  stop: () => undefined,
};

export function fileProgress(stream: NodeJS.WriteStream = process.stderr): FileProgress {
  if (!stream.isTTY) {
    return {
      start: () => undefined,
      bytes: () => undefined,
      finish: (name, status) => void stream.write(`${name}: ${status}\n`),
      stop: () => undefined,
    };
  }
  const bars = new MultiBar(
    {
      stream,
      format: '{bar} {percentage}% | {file} {status}',
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  const byName = new Map<string, SingleBar>();
  const bar = (name: string, total: number | null): SingleBar => {
    let b = byName.get(name);
    if (!b) {
      b = bars.create(total ?? 1, 0, { file: name, status: '' });
      byName.set(name, b);
    }
    return b;
  };
  return {
    start: (name, total) => void bar(name, total),
    bytes(name, received, total) {
      const b = bar(name, total);
      if (total) b.setTotal(total);
      b.update(received);
    },
    finish(name, status) {
      const b = bar(name, null);
      b.update(b.getTotal(), { status });
    },
    stop: () => bars.stop(),
  };
}
