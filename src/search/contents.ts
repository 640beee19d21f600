/** The wiki-18 passage form that web_search prints: `"Title"` on the first line, then the text. */
export function toContents(title: string, text: string): string {
  return `"${title}"\n${text}`;
}

/** Splits wiki-18 `contents` into title and text; a first line without quotes is still the title. */
export function parseContents(contents: string): { title: string; text: string } {
  const nl = contents.indexOf('\n');
  const first = nl === -1 ? contents : contents.slice(0, nl);
  const text = nl === -1 ? '' : contents.slice(nl + 1);
  const title =
    first.length >= 2 && first.startsWith('"') && first.endsWith('"') ? first.slice(1, -1) : first;
  return { title: title.trim(), text };
}
