/**
 * "Keep the search index offline" in the built app, in real Chromium: the index is copied into
 * OPFS, searches read that copy (a damaged kept file fails the search with what to do in the
 * app's own words, not a CLI command), and Remove frees it, after which searches read the
 * served index again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureBuilt, startAppSession, type AppSession } from './helpers/app-server.ts';

const FOLDER = 'search-index';

let session: AppSession;
let page: Page;

beforeAll(async () => {
  await ensureBuilt();
  session = await startAppSession();
  page = session.page;
}, 240_000);

afterAll(async () => {
  await session?.close();
});

/** The kept copy's file names (empty when there is none). */
function keptFiles(): Promise<string[]> {
  return page.evaluate(async (folder) => {
    const root = await navigator.storage.getDirectory();
    let dir: FileSystemDirectoryHandle;
    try {
      dir = await root.getDirectoryHandle(folder);
    } catch {
      return [];
    }
    const names: string[] = [];
    for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys())
      names.push(name);
    return names.sort();
  }, FOLDER);
}

async function askWithSearch(): Promise<string> {
  session.server.push(
    'Thought: Look it up.\nCode:\n```py\nprint(web_search("capital city of France"))\n```',
    'Thought: Done.\nCode:\n```py\nfinal_answer("done")\n```',
  );
  await session.open(session.link('chat', { mode: 'agent', q: 'Look something up', run: '1' }));
  await page.getByTestId('final-answer').waitFor({ timeout: 120_000 });
  return page.getByTestId('step').first().innerText();
}

describe('keeping the search index offline', () => {
  it('keeps it in OPFS, reads from it, names a damaged copy in app words, and removes it', async () => {
    await session.open(session.link('chat', { mode: 'agent' }));
    const keep = page.getByRole('button', { name: /Keep the search index offline/ });
    await keep.waitFor({ timeout: 60_000 });
    await keep.click();
    await page.getByText('Search index kept offline').waitFor({ timeout: 120_000 });
    const files = await keptFiles();
    expect(files).toContain('manifest.json');
    expect(files.some((f) => f.startsWith('passages-'))).toBe(true);

    // Damage every kept passage shard in place (same size): only a read from OPFS can see it.
    await page.evaluate(async (folder) => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(folder);
      for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) {
        if (!name.startsWith('passages-')) continue;
        const w = await (await dir.getFileHandle(name)).createWritable({ keepExistingData: true });
        await w.write({ type: 'write', position: 0, data: new Uint8Array([1, 2, 3, 4]) });
        await w.close();
      }
    }, FOLDER);
    const damaged = await askWithSearch();
    expect(damaged).toContain(`browser storage (${FOLDER})`);
    expect(damaged).toContain('does not match its checksum');
    expect(damaged).toContain('Remove the offline copy');
    expect(damaged).not.toContain('playground index build');

    await session.open(session.link('chat', { mode: 'agent' }));
    await page.getByText('Search index kept offline').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await page
      .getByRole('button', { name: /Keep the search index offline/ })
      .waitFor({ timeout: 60_000 });
    expect(await keptFiles()).toEqual([]);

    const served = await askWithSearch();
    expect(served).toContain('Retrieved documents:');
    expect(served).toContain('===== Document 0, similarity:');
    expect(served).not.toContain('does not match its checksum');
  });
});
