import type { Passage } from '../agent/ports.ts';

/**
 * Python's `f"{x:.2f}"`: JavaScript's toFixed rounds exact ties (0.125, 0.625, ...) up, Python
 * rounds them to even. Only odd multiples of 1/8 are exact ties at two decimals.
 */
export function formatScore(x: number): string {
  const eighths = x * 8;
  if (Number.isInteger(eighths) && Math.abs(eighths) % 2 === 1) {
    const hundredths = Math.floor(x * 100);
    const even = hundredths % 2 === 0 ? hundredths : hundredths + 1;
    return (even / 100).toFixed(2);
  }
  return x.toFixed(2);
}

/** docs/protocol.md section 4, byte for byte: what web_search returns to the model. */
export function formatRetrievedDocuments(
  passages: readonly Pick<Passage, 'contents' | 'score'>[],
): string {
  let out = '\nRetrieved documents:';
  passages.forEach((p, i) => {
    out += `\n\n===== Document ${i}, similarity: ${formatScore(p.score)} =====\n${p.contents}`;
  });
  return out;
}
