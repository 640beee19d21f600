/**
 * The corpora `playground setup --corpus NAME` knows: where each comes from, its licence and
 * what to expect (estimates: the sources change size a little between releases).
 */
import { HOTPOT_DEV_DISTRACTOR_URL } from './default-index.ts';

export interface CorpusEntry {
  name: string;
  title: string;
  url: string;
  licence: string;
  /** Download size, approximately. */
  bytes: number;
  /** Passages in the built index, approximately (long paragraphs are cut into ~100 words). */
  passages: number;
  /** Hex sha256 when known in advance; otherwise the hub's published sum is checked if sent. */
  sha256?: string;
  /** What the CLI is for: a browser tab takes the sharded index of any of them. */
  note: string;
}

export const CORPORA: readonly CorpusEntry[] = [
  {
    name: 'hotpotqa',
    title: 'HotpotQA dev paragraphs (the default)',
    url: HOTPOT_DEV_DISTRACTOR_URL,
    licence: 'CC BY-SA 4.0',
    bytes: 46e6,
    passages: 70_000,
    note: '10 Wikipedia paragraphs per dev question: the benchmark slice of Wikipedia',
  },
  {
    name: 'simplewiki',
    title: 'Simple English Wikipedia (Wikimedia Parquet dump, 2023-11-01)',
    url: 'https://huggingface.co/datasets/wikimedia/wikipedia/resolve/main/20231101.simple/train-00000-of-00001.parquet',
    licence: 'CC BY-SA 4.0 and GFDL (Wikipedia text)',
    bytes: 145e6,
    passages: 800_000,
    note: 'every Simple English article, cut into ~100-word passages: real coverage for chat',
  },
  {
    name: 'wiki18',
    title: "wiki-18: the paper's 21M 100-word passages (Wikipedia, Dec 2018)",
    url: 'https://huggingface.co/datasets/PeterJinGo/wiki-18-corpus/resolve/main/wiki-18.jsonl.gz',
    licence: 'CC BY-SA 3.0 (Wikipedia text, DPR split)',
    bytes: 4.6e9,
    passages: 21_015_324,
    note: 'the retriever corpus the checkpoint was trained with; ~9 GB index, build needs hours',
  },
];

export function findCorpus(name: string): CorpusEntry | undefined {
  return CORPORA.find((c) => c.name === name);
}

/** `url` with its origin replaced by `base` (a mirror, or a local server playing the hub). */
export function mirrored(url: string, base: string | undefined): string {
  if (!base) return url;
  const u = new URL(url);
  return new URL(`${u.pathname.replace(/^\//, '')}${u.search}`, base.replace(/\/?$/, '/')).href;
}

export function describeCatalogue(): string {
  const mb = (b: number) =>
    b >= 1e9 ? `${(b / 1e9).toFixed(1)} GB` : `${Math.round(b / 1e6).toLocaleString('en-US')} MB`;
  return CORPORA.map(
    (c) =>
      `${c.name.padEnd(11)} ${c.title}\n` +
      `            ${mb(c.bytes)} download, ~${c.passages.toLocaleString('en-US')} passages, ${c.licence}\n` +
      `            ${c.url}\n            ${c.note}`,
  ).join('\n');
}
