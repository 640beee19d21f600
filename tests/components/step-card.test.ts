/**
 * One agent step as the run view shows it, rendered by Svelte in Chromium with the app's own
 * Markdown (marked + DOMPurify) and highlighting: the code from the agent's extraction, the
 * observation that folds away, the passages that open, and model output that tries to inject
 * markup or script into the page.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-svelte';
import StepCard from '../../src/ui/components/StepCard.svelte';
import type { ExecutionResult } from '../../src/agent/ports.ts';
import { newStep, type LiveStep } from '../../src/ui/lib/live-run.ts';

declare global {
  interface Window {
    /** Set by an injected handler, if one ever runs. */
    __pwned?: string;
  }
}

function step(extra: Partial<LiveStep>): LiveStep {
  return { ...newStep(1, 1, 'agent'), phase: 'done', startedAt: 0, durationMs: 1200, ...extra };
}

function searched(query: string, passages: { title: string; text: string }[]): ExecutionResult {
  return {
    status: 'ok',
    logs: 'Retrieved documents: ...',
    output: 'None',
    stateLost: false,
    toolCalls: [
      {
        name: 'web_search',
        args: { query },
        text: 'Retrieved documents: ...',
        data: passages.map((p, i) => ({ ...p, score: 0.9 - i / 10 })),
        durationMs: 5,
      },
    ],
    durationMs: 8,
  };
}

/** Waits until the lazily loaded Markdown renderer has replaced the plain-text fallback. */
async function rendered(card: HTMLElement, selector: string): Promise<void> {
  await expect.poll(() => card.querySelector(selector) !== null, { timeout: 10_000 }).toBe(true);
}

afterEach(() => {
  delete window.__pwned;
});

describe('the step card', () => {
  it('shows the thought and the code the agent extracts, before the agent reports it', async () => {
    const output =
      'Thought: I will **search** first.\nCode:\n```py\nr = web_search("Eiffel Tower height")\nprint(r)\n```<end_code>';
    const screen = await render(StepCard, {
      step: step({ phase: 'executing', output, code: null }),
      now: 0,
    });
    const card = screen.getByTestId('step').element() as HTMLElement;
    await rendered(card, '.thought strong');
    expect(card.querySelector('.thought')?.textContent?.trim()).toMatch(/^I will search first\./);
    await expect
      .element(screen.getByLabelText('Python code'))
      .toHaveTextContent('r = web_search("Eiffel Tower height") print(r)');
    await expect.element(screen.getByText('running Python…')).toHaveAttribute('role', 'status');
  });

  it('prefers the code the agent ran, once it has reported it', async () => {
    const screen = await render(StepCard, {
      step: step({
        output: 'Thought: t\nCode:\n```py\nprint(1)\n```',
        code: 'final_answer(1)',
      }),
      now: 0,
    });
    await expect.element(screen.getByLabelText('Python code')).toHaveTextContent('final_answer(1)');
  });

  it('folds the observation away and back', async () => {
    const screen = await render(StepCard, {
      step: step({ output: 'Thought: t', observation: 'Execution logs:\n42\nLast output: None' }),
      now: 0,
    });
    const toggle = screen.getByRole('button', { name: /Observation/ });
    await expect.element(toggle).toHaveAttribute('aria-expanded', 'true');
    await expect.element(screen.getByText(/Execution logs:/)).toBeVisible();
    await toggle.click();
    await expect.element(toggle).toHaveAttribute('aria-expanded', 'false');
    expect(screen.getByText(/Execution logs:/).elements()).toEqual([]);
    await toggle.click();
    await expect.element(screen.getByText(/Execution logs:/)).toBeVisible();
  });

  it('lists the passages each search returned, each opening to its full text', async () => {
    const long = `The tower is 330 metres tall. ${'It was built for the 1889 World Fair. '.repeat(5)}`;
    const screen = await render(StepCard, {
      step: step({
        output: 'Thought: t',
        execution: searched('Eiffel Tower height', [
          { title: 'Eiffel Tower', text: long },
          { title: 'Statue of Liberty', text: 'The statue is 93 metres tall.' },
        ]),
        observation: 'Retrieved documents: ...',
      }),
      now: 0,
    });
    const passages = screen.getByRole('region', { name: 'Retrieved passages' });
    await expect.element(passages).toHaveTextContent('web_search("Eiffel Tower height")');
    const items = passages.getByRole('listitem');
    expect(items.elements()).toHaveLength(2);
    const first = items.nth(0).element().querySelector('details');
    if (!first) throw new Error('a passage has no details element');
    expect(first.open).toBe(false);
    // Closed, it shows a preview cut at 110 characters.
    expect(first.querySelector('.preview')?.textContent).toBe(`${long.slice(0, 110)}…`);
    await items.nth(0).getByText('Eiffel Tower', { exact: true }).click();
    expect(first.open).toBe(true);
    expect(first.querySelector('.text')?.textContent).toBe(long);
    await expect.element(items.nth(0)).toHaveTextContent('similarity 0.90');
  });

  it('shows a chain-of-thought answer as the grader reads it, the first tag', async () => {
    const screen = await render(StepCard, {
      step: {
        ...step({ mode: 'cot' }),
        output:
          'The tower is 330 m, the statue 93 m.\n<answer>  237 m </answer> <answer>9</answer>',
      },
      now: 0,
    });
    const card = screen.getByTestId('step').element() as HTMLElement;
    await rendered(card, '.thought strong');
    const text = card.querySelector('.thought')?.textContent?.replace(/\s+/g, ' ').trim();
    expect(text).toBe('The tower is 330 m, the statue 93 m. Answer: 237 m 9');
    expect(screen.getByLabelText('Python code').elements()).toEqual([]);
  });

  it('lets no markup or script from model output into the page', async () => {
    const before = getComputedStyle(document.body).backgroundColor;
    const attack = [
      'Thought: **bold** <style>body { background: rgb(255, 0, 0) !important }</style>',
      '<img src="data:," onerror="window.__pwned = \'thought\'">',
      '<a href="javascript:window.__pwned=\'link\'" id="evil" class="x" style="color:red">click</a>',
      '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe><form><input></form>',
      'Code:\n```py\nprint("<img src=x onerror=window.__pwned=1>")\n```',
    ].join('\n');
    const screen = await render(StepCard, {
      step: step({
        output: attack,
        code: 'print("<img src=x onerror=window.__pwned=\'code\'>")',
        observation: '<script>window.__pwned = "obs"</script><style>body{color:red}</style>',
        execution: searched('<b>q</b>', [
          {
            title: '<img src=x onerror="window.__pwned=1">',
            text: '<style>*{display:none}</style>',
          },
        ]),
      }),
      now: 0,
    });
    const card = screen.getByTestId('step').element() as HTMLElement;
    // The Markdown renderer has run (bold came through), so the sanitiser is what is tested.
    await rendered(card, '.thought strong');
    // Any image has failed to load (the moment an onerror handler would have run), and its
    // error event has been handled.
    await expect.poll(() => [...card.querySelectorAll('img')].every((i) => i.complete)).toBe(true);
    await new Promise((r) => setTimeout(r, 0));

    expect(card.querySelectorAll('style, script, iframe, form, input, link, meta').length).toBe(0);
    const withHandlers = [...card.querySelectorAll('*')].filter((el) =>
      [...el.attributes].some((a) => a.name.startsWith('on') || a.name === 'style'),
    );
    expect(withHandlers).toEqual([]);
    expect(card.querySelector('#evil, .x')).toBeNull();
    expect(card.querySelector('a[href^="javascript:"]')).toBeNull();
    // The only image is the one the thought's sanitised markup kept, without its handler.
    expect([...card.querySelectorAll('img')].every((i) => i.closest('.thought'))).toBe(true);
    expect(window.__pwned).toBeUndefined();
    expect(getComputedStyle(document.body).backgroundColor).toBe(before);
    // Code, observation and passages show the markup as text.
    expect(screen.getByLabelText('Python code').element().textContent).toContain(
      "<img src=x onerror=window.__pwned='code'>",
    );
    expect(card.querySelector('.observation')?.textContent).toContain(
      '<script>window.__pwned = "obs"</script>',
    );
    expect(card.querySelector('.passages')?.textContent).toContain(
      '<img src=x onerror="window.__pwned=1">',
    );
  });
});
