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
  const withMath = html.replace(/MATHX(\d+)XMATH/g, (_m, i: string) => math[Number(i)] ?? '');
  // KaTeX's MathML keeps its TeX source in <annotation>, which screen readers read.
  return DOMPurify.sanitize(withMath, {
    ADD_TAGS: ['semantics', 'annotation'],
    ADD_ATTR: ['encoding'],
  });
}

export function highlightPython(code: string): string {
  return hljs.highlight(code, { language: 'python' }).value;
}
