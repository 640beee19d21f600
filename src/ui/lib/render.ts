/**
 * Markdown with math, and Python highlighting: loaded on first use (marked, DOMPurify, KaTeX and
 * highlight.js together are several times the app shell).
 */
import { Marked } from 'marked';
import DOMPurify from 'dompurify';
import katex from 'katex';
import 'katex/dist/katex.min.css';
import hljs from 'highlight.js/lib/core';
import python from 'highlight.js/lib/languages/python';

hljs.registerLanguage('python', python);

const marked = new Marked({ gfm: true, breaks: true, async: false });

// $$...$$, \[...\], \(...\) and $...$ (not $5 and $10: no space inside the delimiters).
const MATH =
  /\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\)|\$(?!\s)([^$\n]+?)(?<!\s)\$/g;

export function renderMarkdown(text: string): string {
  const math: string[] = [];
  // Math is cut out before markdown so `_` and `*` inside it stay TeX.
  const masked = text.replace(MATH, (_m, d1?: string, d2?: string, i1?: string, i2?: string) => {
    const display = d1 !== undefined || d2 !== undefined;
    const tex = d1 ?? d2 ?? i1 ?? i2 ?? '';
    math.push(
      katex.renderToString(tex, {
        displayMode: display,
        throwOnError: false,
        output: 'htmlAndMathml',
      }),
    );
    return `MATHX${math.length - 1}XMATH`;
  });
  const html = marked.parse(masked) as string;
  // Model output, passages and imported runs are untrusted: nothing in them may restyle or
  // reshape the page (tags such as <style>, <link>, <meta>, <base>; inline style and class
  // attributes; forms; embedded documents). KaTeX's own markup goes in after sanitizing, in text
  // positions only: it is built from the TeX with `trust` off, so it carries no markup of the
  // input, only KaTeX's classes and inline styles.
  const fragment = DOMPurify.sanitize(html, { ...SANITIZE, RETURN_DOM_FRAGMENT: true });
  if (math.length > 0) insertMath(fragment, math);
  const out = document.createElement('div');
  out.append(fragment);
  return out.innerHTML;
}

/** Puts KaTeX markup where a placeholder stands in text (never inside an attribute). */
function insertMath(root: DocumentFragment, math: readonly string[]): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) texts.push(n as Text);
  for (const text of texts) {
    const parts = (text.nodeValue ?? '').split(/MATHX(\d+)XMATH/);
    if (parts.length === 1) continue;
    const nodes = parts.map((part, i) => {
      if (i % 2 === 0) return document.createTextNode(part);
      const span = document.createElement('span');
      span.innerHTML = math[Number(part)] ?? '';
      return span;
    });
    text.replaceWith(...nodes);
  }
}

export const SANITIZE = {
  FORBID_TAGS: [
    'style',
    'link',
    'meta',
    'base',
    'title',
    'form',
    'input',
    'button',
    'textarea',
    'select',
    'iframe',
    'object',
    'embed',
    'svg',
    'math',
    'template',
    'dialog',
  ],
  FORBID_ATTR: ['style', 'class', 'id', 'name', 'popover', 'tabindex', 'autofocus'],
};

export function highlightPython(code: string): string {
  return hljs.highlight(code, { language: 'python' }).value;
}
