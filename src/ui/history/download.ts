/** Runs files out of the page as a download. */
import { runFileName, type RunFile } from '../../records/run-file.ts';
import { downloadText } from '../lib/download.ts';

/** Offers an exported runs file (text from RunStore.exportRuns) as a download. */
export function downloadRunFile(text: string): string {
  const name = runFileName(JSON.parse(text) as RunFile);
  downloadText(name, text, 'application/json');
  return name;
}
