/**
 * The value at fraction `q` of the values (0.5: the median, 0.95: p95), by nearest rank from
 * below; NaN when there are none. The one rule every suite reports its percentiles by.
 */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}
