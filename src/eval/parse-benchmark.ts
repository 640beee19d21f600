/**
 * Benchmark files to questions: the paper's `{metadata, examples: [...]}` JSON and JSONL rows in
 * the field spellings of the sets we ship readers for (question/problem/input, answer/target,
 * answer_aliases, GSM8K's "#### " answers). Text in, questions out: no file system here.
 */
import { PlaygroundError } from '../errors.ts';
import { isPlainObject, type JsonValue } from '../json.ts';
import { benchmarkInfo } from './benchmarks.ts';
import type { BenchQuestion, QuestionKind } from './types.ts';

type Row = Record<string, JsonValue>;

// Large or nested fields that are inputs for other tools, not facts about the question.
const SKIPPED_METADATA = new Set([
  'question',
  'problem',
  'input',
  'answer',
  'target',
  'answer_aliases',
  'aliases',
  'golden_answers',
  'context',
  'paragraphs',
  'solution',
  'code',
  'question_decomposition',
  'supporting_facts',
  'evidences',
]);

/** `['a', "b's"]` as Python prints a list of strings (some files store lists that way). */
function parsePythonStringList(s: string): string[] | null {
  const t = s.trim();
  // Only lists of quoted strings: "[7, 47]" is an interval answer, not a list.
  if (!/^\[\s*(?:(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*,?\s*)*\]$/.test(t)) return null;
  const out: string[] = [];
  const re = /'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g;
  for (const m of t.matchAll(re)) out.push((m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1'));
  return out;
}

function asStrings(v: JsonValue | undefined): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.flatMap((x) => asStrings(x));
  if (typeof v === 'string') return parsePythonStringList(v) ?? [v];
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  return [];
}

/** GSM8K: the worked solution ends with "#### 1,234". */
function gsm8kAnswer(s: string): string {
  const i = s.lastIndexOf('####');
  return i < 0
    ? s
    : s
        .slice(i + 4)
        .trim()
        .replace(/,(?=\d{3}\b)/g, '');
}

function guessKind(answers: string[][]): QuestionKind {
  const mathLike = answers.filter((a) => /^[-+]?[\d.,/]+$|\\/.test(a[0] ?? '')).length;
  return mathLike > answers.length / 2 ? 'math' : 'factual';
}

function rowsOf(text: string, source: string): Row[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const parsed = JSON.parse(trimmed) as JsonValue;
      if (Array.isArray(parsed)) return parsed.filter(isRow);
      if (isRow(parsed)) {
        const examples = parsed.examples ?? parsed.data;
        if (Array.isArray(examples)) return examples.filter(isRow);
        if (typeof parsed.question === 'string' || typeof parsed.problem === 'string') {
          // A JSONL file whose first line is also valid JSON: fall through to lines.
        } else {
          throw new PlaygroundError(
            'data_invalid',
            `${source}: a JSON benchmark file needs an "examples" array ({metadata, examples: [{id, question, answer}]}).`,
          );
        }
      }
    } catch (err) {
      if (err instanceof PlaygroundError) throw err;
      // Not one JSON document: JSONL, read below.
    }
  }
  const rows: Row[] = [];
  trimmed.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let value: JsonValue;
    try {
      value = JSON.parse(line) as JsonValue;
    } catch {
      throw new PlaygroundError('data_invalid', `${source}: line ${i + 1} is not valid JSON.`);
    }
    if (isRow(value)) rows.push(value);
  });
  return rows;
}

function isRow(v: JsonValue): v is Row {
  return isPlainObject(v);
}

export interface ParseOptions {
  /** Benchmark name the questions are filed under. */
  benchmark: string;
  /** Overrides the registry's kind (and the guess for unknown files). */
  kind?: QuestionKind;
  /** For error messages. */
  source?: string;
}

export function parseBenchmark(text: string, options: ParseOptions): BenchQuestion[] {
  const source = options.source ?? options.benchmark;
  const rows = rowsOf(text, source);
  const isGsm8k = options.benchmark === 'gsm8k';
  const parsed = rows.map((row, index) => {
    const question = row.question ?? row.problem ?? row.input;
    if (typeof question !== 'string' || !question.trim()) {
      throw new PlaygroundError(
        'data_invalid',
        `${source}: row ${index + 1} has no question (fields question, problem or input).`,
      );
    }
    let gold = asStrings(row.answer ?? row.target ?? row.golden_answers);
    if (isGsm8k || gold.some((g) => g.includes('\n####'))) gold = gold.map(gsm8kAnswer);
    const aliases = [...asStrings(row.answer_aliases), ...asStrings(row.aliases)];
    const answers = [...new Set([...gold, ...aliases].map((a) => a.trim()).filter(Boolean))];
    if (!answers.length) {
      throw new PlaygroundError(
        'data_invalid',
        `${source}: row ${index + 1} has no answer (fields answer or target).`,
      );
    }
    const rawId = row.id ?? row._id ?? row.unique_id ?? row.qid;
    const id = rawId === undefined || rawId === null ? String(index) : String(rawId).trim();
    const metadata: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(row)) {
      if (SKIPPED_METADATA.has(k) || (typeof v === 'object' && v !== null)) continue;
      if (typeof v === 'string' && v.length > 300) continue;
      metadata[k] = v;
    }
    return { id, question: question.trim(), answers, metadata };
  });

  const kind =
    options.kind ??
    benchmarkInfo(options.benchmark)?.kind ??
    guessKind(parsed.map((p) => p.answers));
  const seen = new Map<string, number>();
  return parsed.map((p) => {
    // Resuming keys on ids, so duplicates get a suffix instead of colliding.
    const n = seen.get(p.id) ?? 0;
    seen.set(p.id, n + 1);
    return {
      id: n ? `${p.id}#${n}` : p.id,
      benchmark: options.benchmark,
      kind,
      question: p.question,
      answers: p.answers,
      metadata: p.metadata,
    };
  });
}
