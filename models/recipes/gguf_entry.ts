/**
 * Checks a GGUF file the way the CPU engines do before loading it, and prints a
 * models/registry.json "cpuModels" entry for it (size and SHA-256 measured from the file). The
 * entry needs the address the file is served from (a Hugging Face repo, or any server with CORS).
 * Without a URL it only checks the file.
 *   node bin/run-ts.js models/recipes/gguf_entry.ts FILE ID QUANT [URL]
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { checkGgufFile } from '../../src/engines/llama-cpp-engine.ts';

const [file, id, quant, url] = process.argv.slice(2);
if (!file || !id || !quant) {
  console.error('usage: gguf_entry.ts FILE ID QUANT [URL]');
  process.exit(2);
}
const header = checkGgufFile(file);
if (!url) {
  console.log(
    `${file}: a whole GGUF model (${header.tensors.length} tensors). Try it: npx playground ask "What is 6*7?" --gguf ${file}`,
  );
  process.exit(0);
}
const hash = createHash('sha256');
for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
const arch = String(header.metadata.get('general.architecture'));
const context = Number(header.metadata.get(`${arch}.context_length`) ?? 8192);
const params = header.tensors.reduce((n, t) => n + t.dims.reduce((a, b) => a * b, 1), 0);
const entry = {
  id: `${id}-${quant}-GGUF`,
  label: `${id} (${quant}, CPU)`,
  family: id,
  paramsB: Number((params / 1e9).toFixed(2)),
  engine: 'cpu',
  quantization: quant,
  kind: 'distilled',
  url,
  sizeBytes: statSync(file).size,
  sha256: hash.digest('hex'),
  license: 'Apache-2.0 (check the base model and adapter licences)',
  contextWindowSize: Math.min(context, 8192),
  promptProfile: 'distilled',
  sampling: { temperature: 0.4, topP: 0.8, samples: 1, maxTokens: 1024 },
  notes: `${basename(file)}, converted with models/recipes/convert_gguf.sh (${arch}, ${header.tensors.length} tensors).`,
};
console.log(JSON.stringify(entry, null, 2));
