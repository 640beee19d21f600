/** Small formatting helpers for stats. */
export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 60_000) return `${(v / 1000).toFixed(1)} s`;
  const m = Math.floor(v / 60_000);
  return `${m} min ${Math.round((v % 60_000) / 1000)} s`;
}

export function rate(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(1)} tok/s`;
}

export function bytes(v: number | null | undefined): string {
  if (v === null || v === undefined) return '–';
  if (v < 1024 ** 2) return `${(v / 1024).toFixed(0)} KB`;
  if (v < 1024 ** 3) return `${(v / 1024 ** 2).toFixed(0)} MB`;
  return `${(v / 1024 ** 3).toFixed(2)} GB`;
}

export function count(v: number | null | undefined): string {
  return v === null || v === undefined ? '–' : v.toLocaleString('en-US');
}
