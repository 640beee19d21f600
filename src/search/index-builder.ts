import { PlaygroundError } from '../errors.ts';
import { ByteWriter, encodeUtf8, gzip } from './bytes.ts';
import { mergeRuns, readRun, RunBuffer, type RunEntry } from './build-runs.ts';
import { chunkArticle } from './chunk.ts';
import { MemoryIndexFiles, sha256Hex, type IndexFileSink } from './index-files.ts';
import {
  DIRECTORY_FILE,
  encodeDirectory,
  passageShardName,
  tailPackName,
  termShardName,
  TermShardWriter,
  type Directory,
  type ShardFile,
  type TailRef,
} from './index-layout.ts';
import { loadIndex } from './load-index.ts';
import type { LocalIndex, SearchOptions } from './local-index.ts';
import type { IndexConfig, IndexManifest, IndexSource } from './manifest.ts';
import { DEFAULT_CONFIG, INDEX_FORMAT, INDEX_FORMAT_VERSION, MANIFEST_FILE } from './manifest.ts';
import { hash53, HashSet53 } from './number-set.ts';
import { encodePostings, TF_MASK, TITLE_BIT, WINDOW_BIT, type PostingList } from './postings.ts';
import { tokenize } from './tokenize.ts';

export interface PassageInput {
  /** Kept when given and unused so far; otherwise the passage number. */
  id?: string;
  title: string;
  text: string;
}

export type AddResult = 'added' | 'duplicate' | 'empty';

export interface IndexBuilderOptions {
  config?: Partial<Omit<IndexConfig, 'tokenizerVersion'>>;
  /** Where the index is written; in memory without one (then toLocalIndex searches it). */
  sink?: IndexFileSink;
  /** Keep duplicates (the benchmark's resampled corpus); default false. */
  keepDuplicates?: boolean;
  /** Postings held in memory before a sorted run is spilled to the sink (18 bytes each). */
  runPostings?: number;
}

/** One passage shard as stored: [id, title, text] rows. */
export type StoredPassage = [string, string, string];

const DEFAULT_RUN_POSTINGS = 6_000_000;

function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => w.length > 0).length;
}

async function* fromSync<T>(it: Iterable<T>): AsyncGenerator<T> {
  yield* it;
}

/**
 * Builds the sharded index from a stream of passages in bounded memory: passage shards are
 * written as they fill, postings are spilled as sorted runs and merged term by term at the end,
 * so memory holds one run, one shard of each kind and two 53-bit-hash sets, whatever the corpus.
 * Host-neutral; Node file handling and input parsing live in ./node.
 */
export class IndexBuilder {
  readonly config: IndexConfig;
  private readonly sink: IndexFileSink;
  private readonly runPostings: number;
  /** Replaced by a fresh buffer after each spill. */
  private run = new RunBuffer();
  private readonly runs: string[] = [];
  private readonly seenContent = new HashSet53();
  private readonly seenIds = new HashSet53();
  private readonly sources: IndexSource[] = [];
  private readonly passageShards: ShardFile[] = [];
  private shard: StoredPassage[] = [];
  private docs = 0;
  private totalLength = 0;
  private duplicates = 0;
  private skippedEmpty = 0;
  private chunked = 0;
  private finished = false;

  constructor(private readonly options: IndexBuilderOptions = {}) {
    this.config = {
      ...DEFAULT_CONFIG,
      ...options.config,
      bm25: { ...DEFAULT_CONFIG.bm25, ...options.config?.bm25 },
    };
    this.sink = options.sink ?? new MemoryIndexFiles();
    this.runPostings = options.runPostings ?? DEFAULT_RUN_POSTINGS;
  }

  get passageCount(): number {
    return this.docs;
  }

  get duplicateCount(): number {
    return this.duplicates;
  }

  /** Sorted runs spilled so far (the benchmark reports it). */
  get spilledRuns(): number {
    return this.runs.length;
  }

  /** Declares an input; passages added with its number are counted under it. */
  addSource(path: string, format: string): number {
    this.sources.push({ path, format, passages: 0, duplicates: 0 });
    return this.sources.length - 1;
  }

  /** Adds a paragraph; one longer than 1.5 x chunkWords words becomes several passages. */
  async add(input: PassageInput, source?: number): Promise<AddResult> {
    if (this.finished) throw new PlaygroundError('internal', 'IndexBuilder.add after finish');
    const title = input.title.trim();
    const text = input.text.trim();
    const src = source === undefined ? undefined : this.sources[source];
    if (text.length === 0) {
      this.skippedEmpty++;
      return 'empty';
    }
    if (!this.options.keepDuplicates) {
      const key = hash53(`${title.toLowerCase()}\u0000${text.replace(/\s+/g, ' ')}`);
      if (!this.seenContent.add(key)) {
        this.duplicates++;
        if (src) src.duplicates++;
        return 'duplicate';
      }
    }
    const words = this.config.chunkWords;
    const pieces = words > 0 && wordCount(text) > 1.5 * words ? chunkArticle(text, words) : [text];
    if (pieces.length > 1) this.chunked++;
    const baseId = input.id?.trim();
    let first: number | undefined;
    for (let i = 0; i < pieces.length; i++) {
      const id = baseId && pieces.length > 1 ? `${baseId}-${i}` : baseId;
      const window = first === undefined ? 0 : this.docs - first;
      const doc = await this.addPassage(id, title, pieces[i] ?? '', window);
      first ??= doc;
    }
    if (first === undefined) {
      this.skippedEmpty++;
      return 'empty';
    }
    if (src) src.passages++;
    return 'added';
  }

  /** The passage's number, undefined when it has no terms. */
  private async addPassage(
    givenId: string | undefined,
    title: string,
    text: string,
    window: number,
  ): Promise<number | undefined> {
    const titleTerms = tokenize(title);
    const textTerms = tokenize(text);
    if (titleTerms.length + textTerms.length === 0) return undefined;
    const doc = this.docs++;
    let id = givenId || String(doc);
    if (!this.seenIds.add(hash53(id))) id = `${id}~${doc}`;

    const weight = this.config.bm25.titleWeight;
    const counts = new Map<string, number>();
    const inTitle = new Set(titleTerms);
    for (const t of titleTerms) counts.set(t, (counts.get(t) ?? 0) + weight);
    for (const t of textTerms) counts.set(t, (counts.get(t) ?? 0) + 1);
    let length = 0;
    for (const tf of counts.values()) length += tf;
    const titleLength = Math.min(inTitle.size, 255);
    const windowBit = window > 0 ? WINDOW_BIT : 0;
    for (const [term, tf] of counts) {
      const byte = Math.min(tf, TF_MASK) | (inTitle.has(term) ? TITLE_BIT : 0) | windowBit;
      this.run.add(term, doc, byte, length, titleLength, window);
    }
    this.totalLength += length;
    this.shard.push([id, title, text]);
    if (this.shard.length === this.config.passagesPerShard) await this.flushShard();
    if (this.run.postings >= this.runPostings) await this.spill();
    return doc;
  }

  private async spill(): Promise<void> {
    const name = `run-${String(this.runs.length).padStart(5, '0')}.tmp`;
    await this.sink.write(name, this.run.encode());
    this.runs.push(name);
    this.run = new RunBuffer();
  }

  private async writeFile(name: string, data: Uint8Array): Promise<ShardFile> {
    await this.sink.write(name, data);
    return { name, bytes: data.byteLength, sha256: await sha256Hex(data) };
  }

  private async flushShard(): Promise<void> {
    if (this.shard.length === 0) return;
    const name = passageShardName(this.passageShards.length);
    const data = await gzip(encodeUtf8(JSON.stringify(this.shard)));
    this.passageShards.push(await this.writeFile(name, data));
    this.shard = [];
  }

  /** Writes every file, manifest.json last: a build that dies midway leaves no loadable index. */
  async finish(): Promise<IndexManifest> {
    if (this.finished) throw new PlaygroundError('internal', 'IndexBuilder.finish twice');
    if (this.docs === 0) {
      throw new PlaygroundError(
        'bad_input',
        'No passages found in the inputs: nothing to index. Check the --input paths and their format.',
      );
    }
    this.finished = true;
    await this.flushShard();
    let sources: AsyncIterator<RunEntry>[];
    if (this.runs.length === 0) {
      sources = [fromSync(this.run.entries())];
    } else {
      if (this.run.postings > 0) await this.spill();
      sources = this.runs.map((name) => readRun(this.sink.readStream(name)));
    }
    const terms = new TermWriter(this.config, this.totalLength / this.docs, (n, d) =>
      this.writeFile(n, d),
    );
    for await (const { term, postings } of mergeRuns(sources)) await terms.add(term, postings);
    const { termShards, tailPacks, vocabulary, postings } = await terms.finish();
    this.run = new RunBuffer();
    for (const name of this.runs) await this.sink.remove(name);

    const directory: Directory = { termShards, tailPacks, passageShards: this.passageShards };
    const dirFile = await this.writeFile(DIRECTORY_FILE, await gzip(encodeDirectory(directory)));
    const manifest: IndexManifest = {
      format: INDEX_FORMAT,
      formatVersion: INDEX_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      config: this.config,
      counts: {
        passages: this.docs,
        duplicates: this.duplicates,
        skippedEmpty: this.skippedEmpty,
        chunked: this.chunked,
        vocabulary,
        postings,
        termShards: termShards.length,
        tailPacks: tailPacks.length,
        passageShards: this.passageShards.length,
      },
      stats: { avgDocLength: this.totalLength / this.docs },
      sources: this.sources,
      files: [{ ...dirFile, kind: 'directory' }],
    };
    await this.sink.write(MANIFEST_FILE, encodeUtf8(JSON.stringify(manifest, null, 2) + '\n'));
    return manifest;
  }

  /** Finishes an in-memory build and opens it (tests, benchmarks). */
  async toLocalIndex(options?: SearchOptions): Promise<LocalIndex> {
    if (!(this.sink instanceof MemoryIndexFiles))
      throw new PlaygroundError('internal', 'toLocalIndex is for builders without a sink');
    await this.finish();
    return loadIndex(this.sink, options);
  }
}

/**
 * Writes merged terms into term shards (string order, closed at termShardBytes) with each term's
 * head inline and its remaining postings in tail packs. The head holds the postings a query most
 * needs when a term is too common to read whole: title occurrences first, then BM25 impact.
 */
class TermWriter {
  private shard = new TermShardWriter();
  private readonly tail = new ByteWriter(1 << 20);
  private readonly termShards: Directory['termShards'] = [];
  private readonly tailPacks: ShardFile[] = [];
  private vocabulary = 0;
  private postings = 0;
  private readonly block = new ByteWriter(1 << 16);

  constructor(
    private readonly config: IndexConfig,
    private readonly avgDocLength: number,
    private readonly write: (name: string, data: Uint8Array) => Promise<ShardFile>,
  ) {}

  async add(term: string, p: PostingList): Promise<void> {
    const df = p.docs.length;
    this.vocabulary++;
    this.postings += df;
    this.block.reset();
    let tail: TailRef | undefined;
    if (df <= this.config.headPostings) {
      encodePostings(p, this.block);
    } else {
      const { k1, b } = this.config.bm25;
      const key = new Float64Array(df);
      for (let i = 0; i < df; i++) {
        const tfByte = p.tfs[i] ?? 0;
        const tf = tfByte & TF_MASK;
        const norm = k1 * (1 - b + (b * (p.lengths[i] ?? 0)) / this.avgDocLength);
        key[i] = (tfByte & TITLE_BIT ? 1 : 0) + tf / (tf + norm);
      }
      const order = Uint32Array.from({ length: df }, (_, i) => i);
      order.sort((x, y) => (key[y] ?? 0) - (key[x] ?? 0) || x - y);
      const head = order.slice(0, this.config.headPostings).sort();
      const rest = order.slice(this.config.headPostings).sort();
      encodePostings(p, this.block, head);
      const mark = this.tail.length;
      encodePostings(p, this.tail, rest);
      const bytes = this.tail.length - mark;
      // A query fetches a whole pack for one tail: a tail that would overflow the pack starts
      // a new one, so a small tail never shares its pack with a big one.
      if (mark > 0 && mark + bytes > this.config.tailPackBytes) {
        const own = this.tail.view().slice(mark);
        this.tail.length = mark;
        await this.flushTail();
        this.tail.bytes(own);
      }
      tail = { pack: this.tailPacks.length, offset: this.tail.length - bytes, bytes };
    }
    this.shard.add(term, df, this.block.view(), tail);
    if (this.tail.length >= this.config.tailPackBytes) await this.flushTail();
    if (this.shard.bytes >= this.config.termShardBytes) await this.flushShard();
  }

  private async flushTail(): Promise<void> {
    if (this.tail.length === 0) return;
    this.tailPacks.push(
      await this.write(tailPackName(this.tailPacks.length), this.tail.view().slice()),
    );
    this.tail.reset();
  }

  private async flushShard(): Promise<void> {
    const first = this.shard.firstTerm;
    if (first === undefined) return;
    const file = await this.write(termShardName(this.termShards.length), this.shard.finish());
    this.termShards.push({ ...file, firstTerm: first });
    this.shard = new TermShardWriter();
  }

  async finish(): Promise<{
    termShards: Directory['termShards'];
    tailPacks: ShardFile[];
    vocabulary: number;
    postings: number;
  }> {
    await this.flushTail();
    await this.flushShard();
    return {
      termShards: this.termShards,
      tailPacks: this.tailPacks,
      vocabulary: this.vocabulary,
      postings: this.postings,
    };
  }
}
