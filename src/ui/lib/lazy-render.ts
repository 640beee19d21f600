/** The render module, fetched once and shared by every component that needs it. */
type RenderModule = typeof import('./render.ts');
let loading: Promise<RenderModule> | null = null;

export function loadRender(): Promise<RenderModule> {
  loading ??= import('./render.ts');
  return loading;
}
