import { createReadStream } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { JSONParser } from '@streamparser/json';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { PlaygroundError } from '../../errors.ts';
import { isPlainObject } from '../../json.ts';
import { chunkArticle, joinSentences } from '../chunk.ts';
import { parseContents } from '../contents.ts';
import type { PassageInput } from '../index-builder.ts';

export type InputFormat =
  'passages-jsonl' | 'passages-json' | 'questions-jsonl' | 'questions-json' | 'dpr-tsv' | 'parquet';

export interface InputFile {
  path: string;
  format: InputFormat;
  bytes: number;
}

export interface ReadOptions {
  /** Words per passage when articles (Parquet) are split. */
  chunkWords: number;
  /** Called with the bytes of this file consumed so far. */
  onBytes?: (bytesRead: number) => void;
}

const FORMAT_HELP =
  'Supported inputs: passage JSONL (id,title,text or wiki-18 contents), DPR TSV (id, text, title), ' +
  'HotpotQA/2Wiki/MuSiQue question JSON(L) with context paragraphs, Parquet of articles (title, text).';

function badInput(path: string, what: string): PlaygroundError {
  return new PlaygroundError('bad_input', `${path}: ${what}. ${FORMAT_HELP}`);
}

type Json = Record<string, unknown>;

function isQuestion(o: Json): boolean {
  return o.context !== undefined || Array.isArray(o.paragraphs);
}

function isPassage(o: Json): boolean {
  return typeof o.contents === 'string' || typeof o.text === 'string';
}

/** gzip files (wiki-18 ships as .jsonl.gz) are read through gunzip, told by their magic bytes. */
async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** The file's text stream (decompressed when gzip) and the raw stream whose bytesRead is progress. */
async function textStream(
  path: string,
  highWaterMark: number,
): Promise<{ text: Readable; raw: ReturnType<typeof createReadStream> }> {
  const raw = createReadStream(path, { highWaterMark });
  if (!(await isGzip(path))) return { text: raw, raw };
  const gunzip = createGunzip();
  raw.on('error', (err) => gunzip.destroy(err));
  return { text: raw.pipe(gunzip), raw };
}

async function firstLine(path: string): Promise<string> {
  const { text: stream } = await textStream(path, 1 << 16);
  stream.setEncoding('utf8');
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) if (line.trim().length > 0) return line;
    return '';
  } finally {
    lines.close();
    stream.destroy();
  }
}

async function readHead(path: string, bytes: number): Promise<string> {
  if (await isGzip(path)) {
    const { text, raw } = await textStream(path, 1 << 16);
    const chunks: Buffer[] = [];
    let have = 0;
    for await (const chunk of text) {
      chunks.push(chunk as Buffer);
      have += (chunk as Buffer).byteLength;
      if (have >= bytes) break;
    }
    raw.destroy();
    return Buffer.concat(chunks).subarray(0, bytes).toString('utf8');
  }
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** Tells the format from the content, not the file name. */
export async function detectFormat(path: string): Promise<InputFormat> {
  const head = (await readHead(path, 1 << 16)).replace(/^\uFEFF/, '');
  if (head.startsWith('PAR1')) return 'parquet';
  const start = head.trimStart();
  if (start.startsWith('[')) {
    // Question files reach ~50 MB, often on one line: judge by the keys in the first 64 KB. A key
    // is a quoted name followed by a colon; an escaped quote inside a value is not.
    if (/(?<!\\)"(context|paragraphs)"\s*:/.test(head)) return 'questions-json';
    if (/(?<!\\)"(text|contents)"\s*:/.test(head)) return 'passages-json';
    throw badInput(
      path,
      'a JSON array whose items are neither questions with context nor passages',
    );
  }
  if (start.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse((await firstLine(path)).replace(/^\uFEFF/, ''));
    } catch {
      throw badInput(
        path,
        'starts with "{" but its first line is not a JSON object (JSONL expected)',
      );
    }
    if (isPlainObject(obj) && isQuestion(obj)) return 'questions-jsonl';
    if (isPlainObject(obj) && isPassage(obj)) return 'passages-jsonl';
    throw badInput(
      path,
      'JSONL lines have neither "context"/"paragraphs" (questions) nor "text"/"contents" (passages)',
    );
  }
  if ((start.split('\n')[0] ?? '').includes('\t')) return 'dpr-tsv';
  throw badInput(path, 'cannot tell the format from the content');
}

/** Expands directories (recursively, sorted, hidden files skipped) and detects each file. */
export async function resolveInputs(paths: readonly string[]): Promise<InputFile[]> {
  const out: InputFile[] = [];
  const visit = async (path: string): Promise<void> => {
    let st;
    try {
      st = await stat(path);
    } catch {
      throw new PlaygroundError('bad_input', `Input ${path} does not exist.`);
    }
    if (st.isDirectory()) {
      const names = (await readdir(path)).filter((n) => !n.startsWith('.')).sort();
      for (const name of names) await visit(join(path, name));
      return;
    }
    if (st.size === 0) throw badInput(path, 'the file is empty');
    out.push({ path, format: await detectFormat(path), bytes: st.size });
  };
  for (const p of paths) await visit(p);
  return out;
}

function passageFromJson(o: Json): PassageInput | undefined {
  const id = o.id === undefined || o.id === null ? undefined : String(o.id);
  if (typeof o.title === 'string' && typeof o.text === 'string')
    return { id, title: o.title, text: o.text };
  if (typeof o.contents === 'string') return { id, ...parseContents(o.contents) };
  if (typeof o.text === 'string') return { id, title: '', text: o.text };
  return undefined;
}

/** Paragraphs of one question: HotpotQA/2Wiki `context` (list or HF dict form), MuSiQue `paragraphs`. */
function paragraphsOf(o: Json): PassageInput[] {
  const out: PassageInput[] = [];
  const ctx = o.context;
  if (Array.isArray(ctx)) {
    for (const item of ctx) {
      if (Array.isArray(item) && typeof item[0] === 'string' && Array.isArray(item[1])) {
        out.push({ title: item[0], text: joinSentences(item[1].map(String)) });
      }
    }
  } else if (isPlainObject(ctx) && Array.isArray(ctx.title) && Array.isArray(ctx.sentences)) {
    ctx.title.forEach((title, i) => {
      const sentences = (ctx.sentences as unknown[])[i];
      if (typeof title === 'string' && Array.isArray(sentences)) {
        out.push({ title, text: joinSentences(sentences.map(String)) });
      }
    });
  }
  if (Array.isArray(o.paragraphs)) {
    for (const p of o.paragraphs) {
      if (isPlainObject(p) && typeof p.title === 'string' && typeof p.paragraph_text === 'string') {
        out.push({ title: p.title, text: p.paragraph_text });
      }
    }
  }
  return out;
}

async function* lines(
  path: string,
  onBytes?: (n: number) => void,
): AsyncGenerator<[string, number]> {
  const { text, raw } = await textStream(path, 1 << 20);
  text.setEncoding('utf8');
  const rl = createInterface({ input: text, crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    n++;
    onBytes?.(raw.bytesRead);
    if (line.trim().length > 0) yield [line, n];
  }
}

function parseLine(path: string, line: string, n: number): Json {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw badInput(`${path}:${n}`, 'line is not valid JSON (file truncated or corrupt?)');
  }
  if (!isPlainObject(v)) throw badInput(`${path}:${n}`, 'line is not a JSON object');
  return v;
}

/**
 * The items of a top-level JSON array (HotpotQA and 2Wiki ship ~50 MB of them, often on one
 * line), parsed one by one as the file streams in rather than after reading it whole.
 */
async function* jsonArrayItems(
  path: string,
  onBytes?: (n: number) => void,
): AsyncGenerator<unknown> {
  const parser = new JSONParser({ paths: ['$.*'], keepStack: false });
  let ready: unknown[] = [];
  parser.onValue = ({ value }) => {
    ready.push(value);
  };
  const parse = (step: () => void): void => {
    try {
      step();
    } catch {
      throw badInput(path, 'not valid JSON (file truncated or corrupt?)');
    }
  };
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  for await (const chunk of stream) {
    const data = chunk as Buffer;
    // The parser ends by itself with the array; only whitespace may follow.
    if (parser.isEnded) {
      if (data.toString('utf8').trim() !== '')
        throw badInput(path, 'not valid JSON (something follows the array)');
      continue;
    }
    parse(() => parser.write(data));
    onBytes?.(stream.bytesRead);
    const batch = ready;
    ready = [];
    yield* batch;
  }
  if (!parser.isEnded) parse(() => parser.end());
  onBytes?.(stream.bytesRead);
  yield* ready;
}

async function* readTsv(path: string, onBytes?: (n: number) => void): AsyncGenerator<PassageInput> {
  // DPR's psgs_w100.tsv: id, text, title, with a header line; its text is quoted when it holds tabs.
  let cols = { id: 0, text: 1, title: 2 };
  const unquote = (s: string) =>
    s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s;
  for await (const [line, n] of lines(path, onBytes)) {
    const fields = line.split('\t').map(unquote);
    if (
      n === 1 &&
      fields.some((f) => f.toLowerCase() === 'text') &&
      fields.some((f) => f.toLowerCase() === 'title')
    ) {
      const at = (name: string) => fields.findIndex((f) => f.toLowerCase() === name);
      cols = { id: at('id'), text: at('text'), title: at('title') };
      continue;
    }
    const text = fields[cols.text];
    const title = fields[cols.title];
    if (text === undefined || title === undefined)
      throw badInput(
        `${path}:${n}`,
        `expected ${Math.max(cols.text, cols.title) + 1} tab-separated columns`,
      );
    yield { id: cols.id >= 0 ? fields[cols.id] : undefined, title, text };
  }
}

const PARQUET_BATCH_ROWS = 512;

async function* readParquet(
  path: string,
  opts: ReadOptions,
  size: number,
): AsyncGenerator<PassageInput> {
  const file = await asyncBufferFromFile(path);
  let metadata;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (err) {
    throw new PlaygroundError(
      'bad_input',
      `${path}: not a readable Parquet file (${String(err)}).`,
      { cause: err },
    );
  }
  const names = new Set(metadata.schema.map((s) => s.name));
  if (!names.has('title') || !names.has('text')) {
    throw badInput(
      path,
      `Parquet columns are ${[...names].slice(1).join(', ')}; "title" and "text" are needed`,
    );
  }
  const columns = names.has('id') ? ['id', 'title', 'text'] : ['title', 'text'];
  const total = Number(metadata.num_rows);
  for (let start = 0; start < total; start += PARQUET_BATCH_ROWS) {
    const rows = await parquetReadObjects({
      file,
      metadata,
      columns,
      rowStart: start,
      rowEnd: Math.min(total, start + PARQUET_BATCH_ROWS),
    });
    for (const row of rows as Json[]) {
      const title = typeof row.title === 'string' ? row.title : '';
      const text = typeof row.text === 'string' ? row.text : '';
      const articleId = row.id === undefined || row.id === null ? undefined : String(row.id);
      const chunks = opts.chunkWords > 0 ? chunkArticle(text, opts.chunkWords) : [text];
      for (let i = 0; i < chunks.length; i++) {
        yield {
          id: articleId === undefined ? undefined : `${articleId}-${i}`,
          title,
          text: chunks[i] ?? '',
        };
      }
    }
    opts.onBytes?.(Math.round((size * Math.min(total, start + PARQUET_BATCH_ROWS)) / total));
  }
}

/** Streams the passages of one input: memory follows the index being built, not the file. */
export async function* readPassages(
  input: InputFile,
  opts: ReadOptions,
): AsyncGenerator<PassageInput> {
  const { path, format } = input;
  switch (format) {
    case 'passages-jsonl':
    case 'questions-jsonl':
      for await (const [line, n] of lines(path, opts.onBytes)) {
        const o = parseLine(path, line, n);
        if (format === 'questions-jsonl') yield* paragraphsOf(o);
        else {
          const p = passageFromJson(o);
          if (!p) throw badInput(`${path}:${n}`, 'passage has neither "text" nor "contents"');
          yield p;
        }
      }
      return;
    case 'passages-json':
    case 'questions-json':
      for await (const item of jsonArrayItems(path, opts.onBytes)) {
        if (!isPlainObject(item)) continue;
        if (format === 'questions-json') yield* paragraphsOf(item);
        else {
          const p = passageFromJson(item);
          if (p) yield p;
        }
      }
      return;
    case 'dpr-tsv':
      yield* readTsv(path, opts.onBytes);
      return;
    case 'parquet':
      yield* readParquet(path, opts, input.bytes);
      return;
  }
}
