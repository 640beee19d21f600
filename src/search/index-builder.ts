import { PlaygroundError } from '../errors.ts';
import { createFlexIndex } from './flex.ts';
import { encodeForwardIndex, ForwardIndexBuilder } from './forward-index.ts';
import type { IndexFileSink } from './index-files.ts';
import { MemoryIndexFiles, sha256Hex } from './index-files.ts';
import { LocalIndex, type SearchOptions } from './local-index.ts';
import type {
  IndexConfig,
  IndexFileEntry,
  IndexFileKind,
  IndexManifest,
  IndexSource,
} from './manifest.ts';
import { DEFAULT_CONFIG, INDEX_FORMAT, INDEX_FORMAT_VERSION, MANIFEST_FILE } from './manifest.ts';
import { PassageStore, passageShardName, type StoredPassage } from './passage-store.ts';
import { tokenize } from './tokenize.ts';

export interface PassageInput {
  /** Kept when given and unused so far; otherwise the passage number. */
  id?: string;
  title: string;
  text: string;
}

export type AddResult = 'added' | 'duplicate' | 'empty';

export interface IndexBuilderOptions {
  config?: Partial<Omit<IndexConfig, 'tokenizerVersion' | 'flexsearchVersion'>>;
  /** Where finish() writes the index; without one the index only lives in memory (toLocalIndex). */
  sink?: IndexFileSink;
  /** Keep duplicates (the benchmark's resampled corpus); default false. */
  keepDuplicates?: boolean;
}

/** cyrb53: a 53-bit string hash, enough to tell a million passages apart without storing them. */
function hash53(s: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const encoder = new TextEncoder();

/**
 * Builds an index from a stream of passages. Memory holds the index, never the input: full
 * passage shards go to the sink as soon as they fill. Host-neutral; Node file handling and input
 * parsing live in ./node.
 */
export class IndexBuilder {
  readonly config: IndexConfig;
  private readonly flex;
  private readonly forward = new ForwardIndexBuilder();
  private readonly vocabulary = new Map<string, number>();
  private df = new Uint32Array(1 << 16);
  private readonly seenContent = new Set<number>();
  private readonly seenIds = new Set<string>();
  private readonly files: IndexFileEntry[] = [];
  private readonly sources: IndexSource[] = [];
  private readonly memoryShards = new Map<number, StoredPassage[]>();
  private shard: StoredPassage[] = [];
  private shardCount = 0;
  private duplicates = 0;
  private skippedEmpty = 0;
  private finished = false;

  constructor(private readonly options: IndexBuilderOptions = {}) {
    this.config = {
      ...DEFAULT_CONFIG,
      ...options.config,
      bm25: { ...DEFAULT_CONFIG.bm25, ...options.config?.bm25 },
      flexsearch: { ...DEFAULT_CONFIG.flexsearch, ...options.config?.flexsearch },
    };
    this.flex = createFlexIndex(this.config);
  }

  get passageCount(): number {
    return this.forward.docCount;
  }

  get duplicateCount(): number {
    return this.duplicates;
  }

  /** Declares an input; passages added with its number are counted under it. */
  addSource(path: string, format: string): number {
    this.sources.push({ path, format, passages: 0, duplicates: 0 });
    return this.sources.length - 1;
  }

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
      if (this.seenContent.has(key)) {
        this.duplicates++;
        if (src) src.duplicates++;
        return 'duplicate';
      }
      this.seenContent.add(key);
    }
    const titleTerms = tokenize(title);
    const textTerms = tokenize(text);
    if (titleTerms.length + textTerms.length === 0) {
      this.skippedEmpty++;
      return 'empty';
    }
    const doc = this.forward.docCount;
    let id = input.id?.trim() || String(doc);
    if (this.seenIds.has(id)) id = `${id}~${doc}`;
    this.seenIds.add(id);

    const counts = new Map<number, number>();
    const weight = this.config.bm25.titleWeight;
    const inTitle = new Set<number>();
    for (const term of titleTerms) inTitle.add(this.count(counts, term, weight));
    for (const term of textTerms) this.count(counts, term, 1);
    for (const termId of counts.keys()) this.df[termId] = (this.df[termId] ?? 0) + 1;
    this.forward.add(counts, inTitle);
    this.flex.addTokenized(doc, `${title} ${text}`, [...titleTerms, ...textTerms]);
    if (src) src.passages++;

    this.shard.push([id, title, text]);
    if (this.shard.length === this.config.passagesPerShard) await this.flushShard();
    return 'added';
  }

  private count(counts: Map<number, number>, term: string, weight: number): number {
    let id = this.vocabulary.get(term);
    if (id === undefined) {
      id = this.vocabulary.size;
      this.vocabulary.set(term, id);
      if (id === this.df.length) {
        const next = new Uint32Array(this.df.length * 2);
        next.set(this.df);
        this.df = next;
      }
    }
    counts.set(id, (counts.get(id) ?? 0) + weight);
    return id;
  }

  private async flushShard(): Promise<void> {
    if (this.shard.length === 0) return;
    const index = this.shardCount++;
    if (this.options.sink) {
      await this.writeFile(
        passageShardName(index),
        'passages',
        encoder.encode(JSON.stringify(this.shard)),
      );
    } else {
      this.memoryShards.set(index, this.shard);
    }
    this.shard = [];
  }

  private async writeFile(
    name: string,
    kind: IndexFileKind,
    data: Uint8Array,
    key?: string,
  ): Promise<void> {
    const sink = this.options.sink;
    if (!sink) return;
    await sink.write(name, data);
    const entry: IndexFileEntry = {
      name,
      kind,
      bytes: data.byteLength,
      sha256: await sha256Hex(data),
    };
    if (key !== undefined) entry.key = key;
    this.files.push(entry);
  }

  private get avgDocLength(): number {
    return this.forward.docCount === 0 ? 0 : this.forward.totalLength / this.forward.docCount;
  }

  /** Writes every file, manifest.json last: a build that dies midway leaves no loadable index. */
  async finish(): Promise<IndexManifest> {
    if (!this.options.sink)
      throw new PlaygroundError('internal', 'IndexBuilder.finish needs a sink');
    if (this.forward.docCount === 0) {
      throw new PlaygroundError(
        'bad_input',
        'No passages found in the inputs: nothing to index. Check the --input paths and their format.',
      );
    }
    await this.flushShard();
    this.finished = true;
    const exports: [string, string][] = [];
    this.flex.index.export((key: string, data: string) => {
      exports.push([key, data]);
    });
    for (const [key, data] of exports) {
      await this.writeFile(`flex-${key}.json`, 'flexsearch', encoder.encode(data), key);
    }
    const terms = [...this.vocabulary.keys()];
    const df = Array.from(this.df.subarray(0, terms.length));
    await this.writeFile(
      'vocabulary.json',
      'vocabulary',
      encoder.encode(JSON.stringify({ terms, df })),
    );
    const forward = this.forward.build();
    await this.writeFile('forward.bin', 'forward', encodeForwardIndex(forward));

    const manifest: IndexManifest = {
      format: INDEX_FORMAT,
      formatVersion: INDEX_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      config: this.config,
      counts: {
        passages: forward.docCount,
        duplicates: this.duplicates,
        skippedEmpty: this.skippedEmpty,
        vocabulary: terms.length,
        postings: forward.termIds.length,
        shards: this.shardCount,
      },
      stats: { avgDocLength: this.avgDocLength },
      sources: this.sources,
      files: this.files,
    };
    await this.options.sink.write(
      MANIFEST_FILE,
      encoder.encode(JSON.stringify(manifest, null, 2) + '\n'),
    );
    return manifest;
  }

  /** Searches the index as built, without writing it (benchmarks, tests); needs no sink. */
  toLocalIndex(options?: SearchOptions): LocalIndex {
    if (this.options.sink)
      throw new PlaygroundError('internal', 'toLocalIndex is for builders without a sink');
    if (this.shard.length > 0) {
      this.memoryShards.set(this.shardCount++, this.shard);
      this.shard = [];
    }
    const passages = new PassageStore(
      new MemoryIndexFiles(),
      new Map(),
      this.config.passagesPerShard,
      false,
      this.memoryShards,
    );
    return new LocalIndex(
      {
        config: this.config,
        flex: this.flex.index,
        vocabulary: this.vocabulary,
        df: this.df,
        forward: this.forward.build(),
        avgDocLength: this.avgDocLength,
        passages,
      },
      options,
    );
  }
}
