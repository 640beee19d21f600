/**
 * The models/ folder on this machine, read from Node: which models/<id>/resolve/main/ folders
 * hold an MLC model and whether each validates. Shared by the CLI (`playground models`) and the
 * dev/preview server (build/serve/local-models.ts), so it imports nothing of Vite.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CHAT_CONFIG,
  chooseModelSource,
  validateModelFolder,
  type FolderAccess,
  type LocalModelInfo,
  type ModelChoice,
} from './model-folder.ts';
import type { ModelEntry } from './model-registry.ts';

/** A model folder on disk, read the way the browser would read it over HTTP. */
export function nodeFolderAccess(dir: string): FolderAccess {
  const file = (p: string) => join(dir, ...p.split('/'));
  return {
    async read(p) {
      try {
        return new Uint8Array(await readFile(file(p)));
      } catch {
        return null;
      }
    },
    async size(p) {
      try {
        const s = await stat(file(p));
        return s.isFile() ? s.size : null;
      } catch {
        return null;
      }
    },
  };
}

/** Ids with a models/<id>/resolve/main/ folder that looks like an MLC model. */
export function localModelIds(modelsDir: string): string[] {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir, { withFileTypes: true })
    .filter((d) => (d.isDirectory() || d.isSymbolicLink()) && !d.name.startsWith('.'))
    .map((d) => d.name)
    .filter((id) => existsSync(join(modelsDir, id, 'resolve', 'main', CHAT_CONFIG)))
    .sort();
}

async function folderInfo(modelsDir: string, id: string): Promise<LocalModelInfo> {
  const dir = join(modelsDir, id, 'resolve', 'main');
  const check = await validateModelFolder(nodeFolderAccess(dir));
  const libs = readdirSync(dir).filter((f) => f.endsWith('.wasm'));
  return { id, ok: check.ok, problems: check.problems.map((p) => p.message), libs };
}

/** Validates each local model folder: what GET /models/local.json reports. */
export async function scanLocalModels(modelsDir: string): Promise<LocalModelInfo[]> {
  const out: LocalModelInfo[] = [];
  for (const id of localModelIds(modelsDir)) out.push(await folderInfo(modelsDir, id));
  return out;
}

/** The Node side of the app's choice: a valid models/<id>/resolve/main/ wins over the remote URL. */
export async function preferLocalModel(entry: ModelEntry, modelsDir: string): Promise<ModelChoice> {
  if (!localModelIds(modelsDir).includes(entry.id)) return chooseModelSource(entry, []);
  return chooseModelSource(entry, [await folderInfo(modelsDir, entry.id)]);
}
