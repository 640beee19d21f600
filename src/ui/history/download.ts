/** Runs files out of and into the page: a download of exported text, a picked file's text. */
import { runFileName, type RunFile } from '../../agent/run-file.ts';

/** Offers an exported runs file (text from RunStore.exportRuns) as a download. */
export function downloadRunFile(text: string): string {
  const name = runFileName(JSON.parse(text) as RunFile);
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the download in some browsers; the blob is small.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
