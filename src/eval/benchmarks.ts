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
  /** Of the verbatim file (data README), so setup can tell a complete file from a broken one. */
  sha256: string;
  size: number;
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
    sha256: '770b2740d2d5195f983dbeae3c770900edab776b5986b4cbff3194443a771b00',
    size: 185087,
    inDomain: true,
    paper: true,
  },
  {
    name: 'bamboogle',
    label: 'Bamboogle',
    kind: 'factual',
    file: 'bamboogle/paper_test_bamboogle_125.json',
    remotePath: 'data_processor/qa_dataset/test/bamboogle_125_20250507.json',
    sha256: 'f6c5f3dd17521cf33a1d597d75525d65673687b3219ffe0339eae21b28d69be4',
    size: 40261,
    inDomain: false,
    paper: true,
  },
  {
    name: 'musique',
    label: 'MuSiQue',
    kind: 'factual',
    file: 'musique/paper_test_musique_500.json',
    remotePath: 'data_processor/qa_dataset/test/musique_500_20250504.json',
    sha256: '683634bcc958a79b144cffb815d4f56002dc22ed7358e11b897f9ff03ba69110',
    size: 198364,
    inDomain: false,
    paper: true,
  },
  {
    name: '2wikimultihopqa',
    label: '2WikiMultiHopQA',
    kind: 'factual',
    file: '2wikimultihopqa/paper_test_2wikimultihopqa_500.json',
    remotePath: 'data_processor/qa_dataset/test/2wikimultihopqa_500_20250511.json',
    sha256: '5034d0e66b38f5e54f20934cbb02ff1d38f0b292efe81da05b5ebdeafcb1bb07',
    size: 163165,
    inDomain: false,
    paper: true,
  },
  {
    name: 'math500',
    label: 'MATH500',
    kind: 'math',
    file: 'math500/paper_test_math_500.json',
    remotePath: 'data_processor/math_dataset/test/math_500_20250414.json',
    sha256: '32ae376ee63aee4a1e59ea167afebffa0031250b154d1805d13522c60c6069cb',
    size: 215468,
    inDomain: true,
    paper: true,
  },
  {
    name: 'gsm_hard',
    label: 'GSM-Hard',
    kind: 'math',
    file: 'gsm_hard/paper_test_gsm_hard_500.json',
    remotePath: 'data_processor/math_dataset/test/gsm_hard_500_20250507.json',
    sha256: '970c69744216a75fe04eb86ff1adaf208df5191e2731c6ef0610bd2312266498',
    size: 209659,
    inDomain: false,
    paper: true,
  },
  {
    name: 'aime',
    label: 'AIME',
    kind: 'math',
    file: 'aime/paper_test_aime_90_2022-2024.json',
    remotePath: 'data_processor/math_dataset/test/aime_90_20250504.json',
    sha256: '445868439c6c88c8f3ac99c9aabae90606cac43ade63597936bec37a22d510c0',
    size: 559888,
    inDomain: false,
    paper: true,
  },
  {
    name: 'olymmath',
    label: 'OlymMATH',
    kind: 'math',
    file: 'olymmath/paper_test_olymmath_200.json',
    remotePath: 'data_processor/math_dataset/test/olymath_200_20250511.json',
    sha256: 'dc105d5747a37031d1f981865dd5603d533488a435b8a2a0722fd167081912d1',
    size: 97032,
    inDomain: false,
    paper: true,
  },
  {
    name: 'gsm8k',
    label: 'GSM8K',
    kind: 'math',
    file: 'gsm8k/gsm8k_test_1319.jsonl',
    sha256: '3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14',
    size: 749738,
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
