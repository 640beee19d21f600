/** Hash routes: #/chat, #/compare, #/models, each with query parameters. */
export type Route = 'chat' | 'compare' | 'models' | 'history' | 'present' | 'bench';
const ROUTES: readonly Route[] = ['chat', 'compare', 'models', 'history', 'present', 'bench'];

function parse(hash: string): { route: Route; params: URLSearchParams } {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/$/, '');
  const params = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  const route = (ROUTES as readonly string[]).includes(path) ? (path as Route) : 'chat';
  return { route, params };
}

export class Router {
  route = $state<Route>('chat');
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- replaced whole on navigation, never mutated
  params = $state.raw(new URLSearchParams());
  /** Bumped on every navigation, so views can tell a new deep link from their own edits. */
  visit = $state(0);

  constructor() {
    this.read();
    window.addEventListener('hashchange', () => this.read());
  }

  private read(): void {
    const { route, params } = parse(location.hash);
    this.route = route;
    this.params = params;
    this.visit += 1;
  }

  /** Rewrites the address without a navigation (keeps deep links shareable as settings change). */
  replace(route: Route, params: [string, string][]): void {
    const qs = params
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
    history.replaceState(null, '', `#/${route}${qs ? `?${qs}` : ''}`);
  }
}

export const router = new Router();
