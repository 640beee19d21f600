/** A grouped bar chart as a standalone SVG string (accuracy per benchmark, one bar per run). */
import { APPROXIMATE_NOTE } from './types.ts';

export interface BarSeries {
  name: string;
  /** One value per group, 0-100; null where the run has no such benchmark. */
  values: (number | null)[];
  /** Per group: the value is approximate (no LLM judge); drawn with "≈" and explained below. */
  approximate?: boolean[];
}

export interface BarChart {
  title: string;
  groups: string[];
  series: BarSeries[];
  yLabel?: string;
}

const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#e15759',
  '#76b7b2',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

export function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}

export function barChartSvg(chart: BarChart): string {
  const bar = Math.max(10, Math.min(28, Math.floor(120 / Math.max(1, chart.series.length))));
  const groupWidth = bar * chart.series.length + 24;
  const left = 56;
  const top = 56 + 18 * Math.ceil(chart.series.length / 3);
  const plotHeight = 260;
  const width = Math.max(420, left + groupWidth * chart.groups.length + 16);
  const anyApproximate = chart.series.some((s) => s.approximate?.some(Boolean));
  const height = top + plotHeight + 70 + (anyApproximate ? 20 : 0);
  const y = (v: number): number =>
    top + plotHeight - (Math.max(0, Math.min(100, v)) / 100) * plotHeight;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="600">${escapeXml(chart.title)}</text>`,
  );
  chart.series.forEach((s, i) => {
    const x = left + (i % 3) * Math.floor((width - left) / 3);
    const ly = 40 + 18 * Math.floor(i / 3);
    out.push(
      `<rect x="${x}" y="${ly - 10}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/>`,
      `<text x="${x + 18}" y="${ly}">${escapeXml(s.name)}</text>`,
    );
  });
  for (let v = 0; v <= 100; v += 20) {
    out.push(
      `<line x1="${left}" x2="${width - 8}" y1="${y(v)}" y2="${y(v)}" stroke="${v ? '#e5e5e5' : '#333'}"/>`,
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${v}</text>`,
    );
  }
  if (chart.yLabel) {
    out.push(
      `<text transform="translate(16 ${top + plotHeight / 2}) rotate(-90)" text-anchor="middle" fill="#555">${escapeXml(chart.yLabel)}</text>`,
    );
  }
  chart.groups.forEach((group, g) => {
    const gx = left + 12 + g * groupWidth;
    chart.series.forEach((s, i) => {
      const v = s.values[g];
      if (v === null || v === undefined) return;
      const x = gx + i * bar;
      const approx = s.approximate?.[g] === true;
      out.push(
        `<rect class="bar" x="${x}" y="${y(v).toFixed(1)}" width="${bar - 2}" height="${(top + plotHeight - y(v)).toFixed(1)}" fill="${PALETTE[i % PALETTE.length]}"><title>${escapeXml(`${s.name} · ${group}: ${v.toFixed(1)}%${approx ? ` (${APPROXIMATE_NOTE})` : ''}`)}</title></rect>`,
        `<text x="${x + (bar - 2) / 2}" y="${(y(v) - 3).toFixed(1)}" text-anchor="middle" font-size="9" fill="#333">${approx ? '≈' : ''}${v.toFixed(1)}</text>`,
      );
    });
    out.push(
      `<text transform="translate(${gx + (bar * chart.series.length) / 2} ${top + plotHeight + 14}) rotate(-30)" text-anchor="end">${escapeXml(group)}</text>`,
    );
  });
  if (anyApproximate) {
    out.push(
      `<text x="${left}" y="${height - 8}" fill="#555">≈ ${escapeXml(APPROXIMATE_NOTE)} (factual answers graded by the offline rules)</text>`,
    );
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
