/**
 * Python's own string semantics where the reference implementation's bytes depend on them:
 * str.strip() and textwrap.dedent() differ from their JavaScript look-alikes at the edges.
 */

// Characters for which Python's str.isspace() is true.
const PY_WHITESPACE = new Set(
  [
    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001,
    0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f,
    0x205f, 0x3000,
  ].map((c) => String.fromCharCode(c)),
);

export function isPySpace(ch: string): boolean {
  return PY_WHITESPACE.has(ch);
}

/** Python's `s.strip()`. */
export function pyStrip(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isPySpace(s.charAt(start))) start++;
  while (end > start && isPySpace(s.charAt(end - 1))) end--;
  return s.slice(start, end);
}

/** Python's `textwrap.dedent()` (the classic algorithm of CPython 3.8–3.12). */
export function pyDedent(text: string): string {
  const lines = text.split('\n');
  // Lines of only spaces and tabs become empty.
  const normalised = lines.map((line) => (/^[ \t]+$/.test(line) ? '' : line));
  let margin: string | null = null;
  for (const line of normalised) {
    const m = /^([ \t]*)[^ \t]/.exec(line);
    if (!m) continue;
    const indent = m[1] ?? '';
    if (margin === null) {
      margin = indent;
    } else if (indent.startsWith(margin)) {
      // keep margin
    } else if (margin.startsWith(indent)) {
      margin = indent;
    } else {
      let i = 0;
      while (i < margin.length && i < indent.length && margin[i] === indent[i]) i++;
      margin = margin.slice(0, i);
    }
  }
  if (!margin) return normalised.join('\n');
  const cut = margin;
  return normalised
    .map((line) => (line.startsWith(cut) ? line.slice(cut.length) : line))
    .join('\n');
}
