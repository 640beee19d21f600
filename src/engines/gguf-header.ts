/**
 * Reads a GGUF file's header (metadata and tensor table) without reading its weights, so a file
 * that is not a GGUF model, is cut short or is damaged is refused with its name before an engine
 * tries to load it (llama.cpp's own messages name neither the file nor the cause). Works on any
 * byte source: a Node file handle, a browser File/Blob, a download in progress.
 * Layout: https://github.com/ggml-org/ggml/blob/master/docs/gguf.md
 */
import { PlaygroundError } from '../errors.ts';

/** Reads up to `length` bytes at `offset`; fewer only at the end of the file. */
export type ReadAt = (offset: number, length: number) => Promise<Uint8Array>;
export type ReadAtSync = (offset: number, length: number) => Uint8Array;

/** The parser asks for bytes by yielding where and how many; a driver answers with them. */
interface ReadRequest {
  offset: number;
  length: number;
}
type Reads<T> = Generator<ReadRequest, T, Uint8Array>;

export interface GgufTensorInfo {
  name: string;
  type: number;
  dims: number[];
  /** Offset within the data section. */
  offset: number;
  /** Bytes of data; null for a tensor type this reader does not know. */
  bytes: number | null;
}

export interface GgufHeader {
  version: number;
  /** Scalar metadata (strings, numbers, booleans); arrays are recorded as their length. */
  metadata: Map<string, string | number | boolean | bigint>;
  tensors: GgufTensorInfo[];
  /** Where the data section starts. */
  dataOffset: number;
  /** The smallest file size that holds every tensor of a known type. */
  minFileSize: number;
  /** Sum of the tensors' data sizes (the weights' memory). */
  tensorBytes: number;
}

/** [elements per block, bytes per block] per ggml type id (ggml.h `enum ggml_type`). */
const TYPE_SIZES: Record<number, [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  9: [32, 36], // Q8_1
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  15: [256, 292], // Q8_K
  16: [256, 66], // IQ2_XXS
  17: [256, 74], // IQ2_XS
  18: [256, 98], // IQ3_XXS
  19: [256, 50], // IQ1_S
  20: [32, 18], // IQ4_NL
  21: [256, 110], // IQ3_S
  22: [256, 82], // IQ2_S
  23: [256, 136], // IQ4_XS
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  29: [256, 56], // IQ1_M
  30: [1, 2], // BF16
};

const MAGIC = 0x46554747; // "GGUF" read as little-endian uint32
const MAX_STRING = 64 * 1024 * 1024;
const CHUNK = 1 << 20;

/** Buffered little-endian reader; every read is a generator step, so one parser serves sync and
 * async byte sources. */
class Cursor {
  private buf: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(this.buf.buffer);
  private bufStart = 0;
  pos = 0;

  constructor(
    private readonly fileSize: number,
    private readonly damaged: (why: string) => PlaygroundError,
  ) {}

  private *need(n: number): Reads<number> {
    if (this.pos + n > this.fileSize)
      throw this.damaged('its header runs past the end of the file');
    const at = this.pos - this.bufStart;
    if (at >= 0 && at + n <= this.buf.length) return at;
    const bytes = yield { offset: this.pos, length: Math.max(n, CHUNK) };
    if (bytes.length < n) throw this.damaged('its header runs past the end of the file');
    this.buf = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.bufStart = this.pos;
    return 0;
  }

  *u8(): Reads<number> {
    const at = yield* this.need(1);
    this.pos += 1;
    return this.view.getUint8(at);
  }
  *u32(): Reads<number> {
    const at = yield* this.need(4);
    this.pos += 4;
    return this.view.getUint32(at, true);
  }
  *u64(): Reads<number> {
    const at = yield* this.need(8);
    this.pos += 8;
    const v = this.view.getBigUint64(at, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw this.damaged('it holds an impossible length');
    return Number(v);
  }
  *string(): Reads<string> {
    const len = yield* this.u64();
    if (len > MAX_STRING) throw this.damaged('it holds an impossible string length');
    const at = yield* this.need(len);
    this.pos += len;
    return new TextDecoder().decode(this.buf.subarray(at, at + len));
  }
  skip(n: number): void {
    if (this.pos + n > this.fileSize)
      throw this.damaged('its header runs past the end of the file');
    this.pos += n;
  }
  *scalar(type: number): Reads<string | number | boolean | bigint> {
    switch (type) {
      case 0:
        return yield* this.u8();
      case 1: {
        const at = yield* this.need(1);
        this.pos += 1;
        return this.view.getInt8(at);
      }
      case 2:
      case 3: {
        const at = yield* this.need(2);
        this.pos += 2;
        return type === 2 ? this.view.getUint16(at, true) : this.view.getInt16(at, true);
      }
      case 4:
        return yield* this.u32();
      case 5: {
        const at = yield* this.need(4);
        this.pos += 4;
        return this.view.getInt32(at, true);
      }
      case 6: {
        const at = yield* this.need(4);
        this.pos += 4;
        return this.view.getFloat32(at, true);
      }
      case 7:
        return (yield* this.u8()) !== 0;
      case 8:
        return yield* this.string();
      case 10:
      case 11: {
        const at = yield* this.need(8);
        this.pos += 8;
        return type === 10 ? this.view.getBigUint64(at, true) : this.view.getBigInt64(at, true);
      }
      case 12: {
        const at = yield* this.need(8);
        this.pos += 8;
        return this.view.getFloat64(at, true);
      }
      default:
        throw this.damaged(`it holds an unknown metadata type ${type}`);
    }
  }
}

const SCALAR_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1 };
SCALAR_BYTES[10] = SCALAR_BYTES[11] = SCALAR_BYTES[12] = 8;

/**
 * Parses the header of the GGUF file `name` of `fileSize` bytes and checks that the file is long
 * enough for every tensor it lists. Throws 'model_load_failed' naming the file and the fault.
 */
export async function readGgufHeader(
  name: string,
  fileSize: number,
  read: ReadAt,
): Promise<GgufHeader> {
  const parser = parse(name, fileSize);
  let step = parser.next();
  while (!step.done) step = parser.next(await read(step.value.offset, step.value.length));
  return step.value;
}

/** readGgufHeader for a synchronous source (a Node file descriptor). */
export function readGgufHeaderSync(name: string, fileSize: number, read: ReadAtSync): GgufHeader {
  const parser = parse(name, fileSize);
  let step = parser.next();
  while (!step.done) step = parser.next(read(step.value.offset, step.value.length));
  return step.value;
}

function* parse(name: string, fileSize: number): Reads<GgufHeader> {
  const damaged = (why: string) =>
    new PlaygroundError(
      'model_load_failed',
      `${name} is not a usable GGUF model: ${why}. Download it again or pick another file.`,
    );
  if (fileSize < 24) {
    throw new PlaygroundError(
      'model_load_failed',
      `${name} is not a GGUF model file (${fileSize} bytes is too short to hold a GGUF header).`,
    );
  }
  const c = new Cursor(fileSize, damaged);
  if ((yield* c.u32()) !== MAGIC) {
    throw new PlaygroundError(
      'model_load_failed',
      `${name} is not a GGUF model file (it does not start with "GGUF"). Pick a .gguf model, e.g. one made by llama.cpp's converter.`,
    );
  }
  const version = yield* c.u32();
  if (version < 2 || version > 3) throw damaged(`GGUF version ${version} is not supported`);
  const tensorCount = yield* c.u64();
  const kvCount = yield* c.u64();
  if (tensorCount > 1e6 || kvCount > 1e6)
    throw damaged('it claims an impossible number of entries');

  const metadata = new Map<string, string | number | boolean | bigint>();
  for (let i = 0; i < kvCount; i++) {
    const key = yield* c.string();
    const type = yield* c.u32();
    if (type === 9) {
      const elemType = yield* c.u32();
      const count = yield* c.u64();
      const size = SCALAR_BYTES[elemType];
      if (size !== undefined) c.skip(size * count);
      else if (elemType === 8) for (let j = 0; j < count; j++) c.skip(yield* c.u64());
      else throw damaged(`metadata "${key}" is an array of an unknown type ${elemType}`);
      metadata.set(key, count);
    } else {
      metadata.set(key, yield* c.scalar(type));
    }
  }

  const tensors: GgufTensorInfo[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const tname = yield* c.string();
    const nDims = yield* c.u32();
    if (nDims < 1 || nDims > 4) throw damaged(`tensor "${tname}" has ${nDims} dimensions`);
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) dims.push(yield* c.u64());
    const type = yield* c.u32();
    const offset = yield* c.u64();
    const elements = dims.reduce((a, b) => a * b, 1);
    const size = TYPE_SIZES[type];
    const bytes = size ? (elements / size[0]) * size[1] : null;
    tensors.push({ name: tname, type, dims, offset, bytes });
  }

  const align = Number(metadata.get('general.alignment') ?? 32) || 32;
  const dataOffset = Math.ceil(c.pos / align) * align;
  let minFileSize = dataOffset;
  let tensorBytes = 0;
  for (const t of tensors) {
    minFileSize = Math.max(minFileSize, dataOffset + t.offset + (t.bytes ?? 0));
    tensorBytes += t.bytes ?? 0;
  }
  if (fileSize < minFileSize) {
    throw new PlaygroundError(
      'model_load_failed',
      `${name} is truncated: it holds ${fileSize} bytes but its tensors need ${minFileSize}. The download or copy was cut short; get the file again.`,
    );
  }
  return { version, metadata, tensors, dataOffset, minFileSize, tensorBytes };
}

/** Memory a model needs to run with `contextSize` tokens: weights plus an f16 KV cache. */
export function estimateMemoryBytes(header: GgufHeader, contextSize: number): number {
  const arch = String(header.metadata.get('general.architecture') ?? '');
  const n = (key: string) => Number(header.metadata.get(`${arch}.${key}`) ?? 0);
  const heads = n('attention.head_count');
  const kvHeads = n('attention.head_count_kv') || heads;
  const kvDims = heads > 0 ? (n('embedding_length') / heads) * kvHeads : 0;
  const kvCache = n('block_count') * contextSize * kvDims * 2 * 2;
  return header.tensorBytes + kvCache;
}

/** The context length the model was trained with, when its header says. */
export function trainedContextLength(header: GgufHeader): number | null {
  const arch = String(header.metadata.get('general.architecture') ?? '');
  const v = Number(header.metadata.get(`${arch}.context_length`));
  return Number.isFinite(v) && v > 0 ? v : null;
}
