/**
 * The named benchmark sets: the paper's eight test subsets (PROTOCOL section 11) plus GSM8K,
 * where each lives under the data directory, and where the setup command fetches it from.
 */
import type { QuestionKind } from './types.ts';

export interface BenchmarkInfo {
  name: string;
  /** Column heading in reports, as the paper's Table 2 names it. */
  label: string;
  kind: QuestionKind;
  /** Path under the data directory. */
  file: string;
  /** Path under the reference repository's raw root; absent for sets the paper did not use. */
  remotePath?: string;
  /** In-domain for the paper's students (trained on HotpotQA and MATH questions). */
  inDomain: boolean;
  /** Part of the paper's eight-benchmark average. */
  paper: boolean;
}

/** Raw files of github.com/Nardien/agent-distillation at the commit the data README names. */
export const REFERENCE_RAW_BASE =
  'https://raw.githubusercontent.com/Nardien/agent-distillation/0f6cae3df6da51eaaf3f3b08dbc1ba120af64459';

export const BENCHMARKS: readonly BenchmarkInfo[] = [
  {
    name: 'hotpotqa',
    label: 'HotpotQA',
    kind: 'factual',
    file: 'hotpotqa/paper_test_hotpotqa_500.json',
    remotePath: 'data_processor/qa_dataset/test/hotpotqa_500_20250422.json',
    inDomain: true,
    paper: true,
  },
  {
    name: 'bamboogle',
    label: 'Bamboogle',
    kind: 'factual',
    file: 'bamboogle/paper_test_bamboogle_125.json',
    remotePath: 'data_processor/qa_dataset/test/bamboogle_125_20250507.json',
    inDomain: false,
    paper: true,
  },
  {
    name: 'musique',
    label: 'MuSiQue',
    kind: 'factual',
    file: 'musique/paper_test_musique_500.json',
    remotePath: 'data_processor/qa_dataset/test/musique_500_20250504.json',
    inDomain: false,
    paper: true,
  },
  {
    name: '2wikimultihopqa',
    label: '2WikiMultiHopQA',
    kind: 'factual',
    file: '2wikimultihopqa/paper_test_2wikimultihopqa_500.json',
    remotePath: 'data_processor/qa_dataset/test/2wikimultihopqa_500_20250511.json',
    inDomain: false,
    paper: true,
  },
  {
    name: 'math500',
    label: 'MATH500',
    kind: 'math',
    file: 'math500/paper_test_math_500.json',
    remotePath: 'data_processor/math_dataset/test/math_500_20250414.json',
    inDomain: true,
    paper: true,
  },
  {
    name: 'gsm_hard',
    label: 'GSM-Hard',
    kind: 'math',
    file: 'gsm_hard/paper_test_gsm_hard_500.json',
    remotePath: 'data_processor/math_dataset/test/gsm_hard_500_20250507.json',
    inDomain: false,
    paper: true,
  },
  {
    name: 'aime',
    label: 'AIME',
    kind: 'math',
    file: 'aime/paper_test_aime_90_2022-2024.json',
    remotePath: 'data_processor/math_dataset/test/aime_90_20250504.json',
    inDomain: false,
    paper: true,
  },
  {
    name: 'olymmath',
    label: 'OlymMATH',
    kind: 'math',
    file: 'olymmath/paper_test_olymmath_200.json',
    remotePath: 'data_processor/math_dataset/test/olymath_200_20250511.json',
    inDomain: false,
    paper: true,
  },
  {
    name: 'gsm8k',
    label: 'GSM8K',
    kind: 'math',
    file: 'gsm8k/gsm8k_test_1319.jsonl',
    inDomain: false,
    paper: false,
  },
];

export function benchmarkInfo(name: string): BenchmarkInfo | undefined {
  const key = name.toLowerCase().replace(/[-_\s]/g, '');
  return BENCHMARKS.find((b) => b.name.replace(/_/g, '') === key);
}

/** Sort key: the paper's column order, unknown sets last in name order. */
export function benchmarkOrder(name: string): number {
  const i = BENCHMARKS.findIndex((b) => b.name === name);
  return i < 0 ? BENCHMARKS.length : i;
}
