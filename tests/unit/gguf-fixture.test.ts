/** The tiny GGUF fixture is what its script builds, byte for byte, and what its checksum says. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readGgufHeader } from '../../src/engines/gguf-header.ts';

const DIR = 'tests/fixtures/gguf';
const tmp = mkdtempSync(join(tmpdir(), 'gguf-fixture-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('tests/fixtures/gguf/tiny-agent.gguf', () => {
  const committed = readFileSync(join(DIR, 'tiny-agent.gguf'));

  it('matches its recorded checksum', () => {
    const [recorded] = readFileSync(join(DIR, 'tiny-agent.gguf.sha256'), 'utf8').split(/\s+/);
    expect(sha256(committed)).toBe(recorded);
  });

  it('is rebuilt byte for byte by its script', () => {
    const out = join(tmp, 'rebuilt.gguf');
    const r = spawnSync('python3', [join(DIR, 'make_tiny_agent_gguf.py'), out], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(sha256(readFileSync(out))).toBe(sha256(committed));
  });

  it('is a qwen2 model with the Qwen control tokens and a 16k context', async () => {
    const h = await readGgufHeader('tiny-agent.gguf', committed.length, async (o, l) =>
      committed.subarray(o, o + l),
    );
    expect(h.metadata.get('general.architecture')).toBe('qwen2');
    expect(h.metadata.get('qwen2.context_length')).toBe(16384);
    expect(h.metadata.get('tokenizer.ggml.pre')).toBe('qwen2');
    expect(h.tensors.map((t) => t.name)).toContain('blk.0.attn_q.bias');
    expect(h.minFileSize).toBe(committed.length);
  });
});
