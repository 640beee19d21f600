/**
 * The search index manifest is checked with the shared JSON validator: a manifest a real build
 * wrote passes; a damaged one is refused as index_corrupt naming the field, and a foreign one
 * as index_mismatch, each with how to rebuild.
 */
import { describe, expect, it } from 'vitest';
import { PlaygroundError } from '../../src/errors.ts';
import { IndexBuilder, MemoryIndexFiles } from '../../src/search/index.ts';
import { MANIFEST_FILE, parseManifest } from '../../src/search/manifest.ts';

async function builtManifest(): Promise<Record<string, unknown>> {
  const sink = new MemoryIndexFiles();
  const builder = new IndexBuilder({ sink });
  await builder.add({ title: 'Harvey Pekar', text: 'Harvey Pekar was a comic book writer.' });
  await builder.add({ title: 'Cleveland', text: 'Cleveland is a city in Ohio.' });
  await builder.finish();
  const bytes = await sink.read(MANIFEST_FILE);
  if (!bytes) throw new Error('the build wrote no manifest');
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

function refusal(manifest: unknown): PlaygroundError {
  try {
    parseManifest(new TextEncoder().encode(JSON.stringify(manifest)), { location: '/idx/' });
  } catch (err) {
    expect(err).toBeInstanceOf(PlaygroundError);
    return err as PlaygroundError;
  }
  throw new Error('the manifest was accepted');
}

describe('parseManifest', () => {
  it('accepts what the builder writes', async () => {
    const m = await builtManifest();
    const parsed = parseManifest(new TextEncoder().encode(JSON.stringify(m)), {
      location: '/idx/',
    });
    expect(parsed.counts.passages).toBe(2);
  });

  it('refuses a damaged manifest, naming the field and how to rebuild', async () => {
    const m = await builtManifest();
    const files = m.files as Record<string, unknown>[];
    const damaged = {
      ...m,
      files: files.map((f, i) => (i === 0 ? { ...f, sha256: undefined } : f)),
    };
    const err = refusal(damaged);
    expect(err.code).toBe('index_corrupt');
    expect(err.message).toBe(
      'The search index manifest /idx/manifest.json is damaged: files[0].sha256 is missing (it must be a string). ' +
        'Rebuild it with: playground index build --input <corpus> --out /idx/',
    );
    const escape = { ...m, files: [{ ...files[0], name: '../../etc/passwd' }] };
    expect(refusal(escape).message).toMatch(
      /damaged: files\[0\]\.name must be a file name without "\.\.", got "\.\.\/\.\.\/etc\/passwd"/,
    );
    const { stats: _stats, ...noStats } = m;
    expect(refusal(noStats).message).toMatch(/damaged: stats is missing \(it must be an object\)/);
    expect(refusal({ ...m, config: { ...(m.config as object), bm25: [] } }).message).toMatch(
      /damaged: config\.bm25 must be an object, got an array/,
    );
  });

  it('tells a foreign or older file from a damaged one', async () => {
    const m = await builtManifest();
    expect(refusal({ ...m, format: 'something-else' }).code).toBe('index_mismatch');
    expect(refusal([m]).code).toBe('index_mismatch');
    expect(refusal({ ...m, formatVersion: 1 }).message).toMatch(/format version 1/);
  });
});
