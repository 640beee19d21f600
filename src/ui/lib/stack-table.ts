/**
 * On a phone a wide table becomes one block per row (app.css, `table.stack`); each cell then shows
 * its column's name, which this attachment copies from the header into `data-label`, and keeps
 * current as rows come and go.
 */
export function stackTable(table: HTMLTableElement): () => void {
  const label = (): void => {
    const heads = [...(table.tHead?.rows[0]?.cells ?? [])].map((c) => c.textContent.trim());
    for (const body of table.tBodies) {
      for (const row of body.rows) {
        for (const [i, cell] of [...row.cells].entries()) {
          const head = heads[i];
          // A row header names its own row; an unnamed column (checkbox, buttons) needs no label.
          if (head && cell.tagName === 'TD') cell.dataset.label = head;
          else delete cell.dataset.label;
        }
      }
    }
  };
  label();
  const observer = new MutationObserver(label);
  observer.observe(table, { childList: true, subtree: true, characterData: true });
  return () => observer.disconnect();
}
