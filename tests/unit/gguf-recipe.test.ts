/**
 * models/recipes/convert_gguf.sh (LoRA-merged model -> GGUF) cannot run here (no weights, no
 * llama.cpp checkout): its shell parses, its dry run issues llama.cpp's documented commands, and
 * its last step (the engines' GGUF check plus a registry entry) runs for real on the fixture.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const FIXTURE = 'tests/fixtures/gguf/tiny-agent.gguf';
const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout, err: r.stderr };
};

describe('convert_gguf.sh', () => {
  it('parses, and its dry run converts to F16, quantises, then checks the file', () => {
    expect(run('bash', ['-n', 'models/recipes/convert_gguf.sh']).status).toBe(0);
    const r = run('bash', [
      'models/recipes/convert_gguf.sh',
      ...['--model', 'work/merged', '--id', 'my-agent', '--llama-cpp', '/opt/llama.cpp'],
      ...['--out', '/tmp/gguf-out', '--url', 'https://example.org/my-agent-Q4_K_M.gguf'],
      '--dry-run',
    ]);
    expect(r.status, r.err).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[1]).toBe(
      'python3 /opt/llama.cpp/convert_hf_to_gguf.py work/merged --outfile /tmp/gguf-out/my-agent-F16.gguf --outtype f16 ',
    );
    expect(lines[2]).toBe(
      '/opt/llama.cpp/build/bin/llama-quantize /tmp/gguf-out/my-agent-F16.gguf /tmp/gguf-out/my-agent-Q4_K_M.gguf Q4_K_M ',
    );
    expect(lines[3]).toBe('rm -f /tmp/gguf-out/my-agent-F16.gguf ');
    expect(lines[4]).toContain('gguf_entry.ts /tmp/gguf-out/my-agent-Q4_K_M.gguf my-agent Q4_K_M');
  });

  it('refuses to start without its inputs', () => {
    const r = run('bash', ['models/recipes/convert_gguf.sh', '--model', 'nowhere']);
    expect(r.status).toBe(2);
    expect(r.err).toContain('usage: convert_gguf.sh');
  });

  it('prints a registry entry with the measured size and checksum', () => {
    const r = run('node', [
      'bin/run-ts.js',
      'models/recipes/gguf_entry.ts',
      FIXTURE,
      'tiny-agent',
      'F32',
      'https://example.org/tiny-agent.gguf',
    ]);
    expect(r.status, r.err).toBe(0);
    const entry = JSON.parse(r.out) as Record<string, unknown>;
    const [sha] = readFileSync(`${FIXTURE}.sha256`, 'utf8').split(/\s+/);
    expect(entry).toMatchObject({
      id: 'tiny-agent-F32-GGUF',
      engine: 'cpu',
      sizeBytes: readFileSync(FIXTURE).length,
      sha256: sha,
      url: 'https://example.org/tiny-agent.gguf',
    });
  });

  it('stops on a file that is not a whole GGUF model', () => {
    const r = run('node', [
      'bin/run-ts.js',
      'models/recipes/gguf_entry.ts',
      'package.json',
      'x',
      'F32',
    ]);
    expect(r.status).not.toBe(0);
    expect(r.err).toContain('package.json is not a GGUF model file');
  });
});
