/**
 * Where a presentation gets its deck: a URL (`#/present?deck=...`) or a file the presenter picks.
 * Every failure becomes one sentence that says what to fix, shown instead of the deck.
 */
import { parseDeck, resolveDeck, type Deck, type ResolvedDeckItem } from './deck.ts';
import { PlaygroundError } from '../../errors.ts';

export interface LoadedDeck {
  deck: Deck;
  items: ResolvedDeckItem[];
  /** Where it came from, for the header: the URL or the file name. */
  source: string;
}

/** Saved runs are only looked up (and IndexedDB only opened) when the deck refers to some. */
async function resolve(deck: Deck, source: string): Promise<LoadedDeck> {
  const needsStore = deck.items.some((i) => i.type === 'saved-run');
  if (!needsStore)
    return { deck, items: await resolveDeck(deck, () => Promise.resolve(undefined)), source };
  const { RunStore } = await import('../history/run-store.ts');
  const store = await RunStore.open();
  return { deck, items: await resolveDeck(deck, (id) => store.get(id)), source };
}

export async function deckFromUrl(
  address: string,
  base: string = location.href,
): Promise<LoadedDeck> {
  let url: URL;
  try {
    url = new URL(address, base);
  } catch {
    throw new PlaygroundError(
      'bad_input',
      `"${address}" is not a deck address (a URL or a path such as /examples/demo-deck.json).`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PlaygroundError(
      'bad_input',
      `"${address}" is not a deck address: only http and https URLs can be fetched.`,
    );
  }
  let res: Response;
  try {
    res = await fetch(url, { cache: 'no-cache' });
  } catch (err) {
    throw new PlaygroundError(
      'download_failed',
      `The deck at ${url.href} could not be fetched (${(err as Error).message}). Is the address right, and does that server allow this page to read it (CORS)?`,
    );
  }
  if (!res.ok) {
    throw new PlaygroundError(
      'not_found',
      `The deck at ${url.href} could not be loaded: the server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}.`,
    );
  }
  const text = await res.text();
  // A single-page server answers unknown paths with the app itself: say so, not "not JSON".
  if ((res.headers.get('content-type') ?? '').includes('text/html')) {
    throw new PlaygroundError(
      'data_invalid',
      `There is no deck at ${url.href}: the server answered with a web page, not a JSON file. Check the address.`,
    );
  }
  return resolve(parseDeck(text), url.href);
}

export async function deckFromFile(file: File): Promise<LoadedDeck> {
  return resolve(parseDeck(await file.text()), file.name);
}
