import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultIndexDir, namedIndexDir } from '../../src/search/node/index-dir.ts';

describe('the app index folder, one rule for the dev server and the CLI', () => {
  it('is the folder PLAYGROUND_INDEX_DIR names, made absolute', () => {
    expect(namedIndexDir({ PLAYGROUND_INDEX_DIR: 'some/index' })).toBe(resolve('some/index'));
  });
  it('falls back to public/generated/index when the variable is unset or blank', () => {
    expect(namedIndexDir({})).toBeUndefined();
    expect(namedIndexDir({ PLAYGROUND_INDEX_DIR: '  ' })).toBeUndefined();
    expect(defaultIndexDir('/repo')).toBe(resolve('/repo/public/generated/index'));
  });
});
