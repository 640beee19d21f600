/**
 * The CPU side of the app (wllama): the one loaded GGUF model, its download/load progress and
 * cancel, and a GGUF file the user picked from their disk. wllama is imported only when a CPU
 * model is first loaded.
 */
import type { ChatEngine } from '../agent/ports.ts';
import { LOCAL_GGUF_ID } from '../engines/engine-choice.ts';
import type { CpuModelEntry } from '../engines/model-registry.ts';
import type { CpuLoadProgress, LoadedCpuModel } from '../engines/wllama-engine.ts';
import { PlaygroundError, type SerializedError } from '../errors.ts';

export class CpuModelManager {
  loaded = $state.raw<{ key: string; model: LoadedCpuModel } | null>(null);
  loading = $state.raw<{ label: string; progress: CpuLoadProgress | null } | null>(null);
  problem = $state.raw<SerializedError | null>(null);
  /** Why the app chose the CPU, when it did. */
  note = $state<string | null>(null);
  pickedFile = $state.raw<File | null>(null);
  /** Registry CPU models kept in this browser (id -> bytes), complete or partly downloaded. */
  stored = $state.raw<{ key: string; bytes: number; complete: boolean }[]>([]);
  private cancelLoad: AbortController | null = null;

  async refreshStored(): Promise<void> {
    const { listStoredGguf } = await import('../engines/gguf-download.ts');
    this.stored = await listStoredGguf();
  }

  /** Deletes the stored copy of a registry CPU model (unloading it first). */
  async removeStored(id: string): Promise<void> {
    if (this.loaded?.key === id) await this.unload();
    const { opfsGgufStore } = await import('../engines/gguf-download.ts');
    await (await opfsGgufStore(id))?.remove();
    await this.refreshStored();
  }

  pick(file: File | null): void {
    this.pickedFile = file;
  }

  /** The engine for a registry CPU model, or for the picked file (`entry` null). */
  async engineFor(entry: CpuModelEntry | null): Promise<ChatEngine> {
    const file = this.pickedFile;
    if (!entry && !file) {
      throw new PlaygroundError(
        'bad_input',
        'Choose a GGUF model file from this computer, or one of the listed CPU models.',
      );
    }
    const key = entry?.id ?? `${LOCAL_GGUF_ID}:${file?.name}:${file?.size}:${file?.lastModified}`;
    if (this.loaded?.key === key) return this.loaded.model.engine;
    await this.unload();
    this.problem = null;
    const ctl = new AbortController();
    this.cancelLoad = ctl;
    const label = entry?.label ?? file?.name ?? 'GGUF file';
    this.loading = { label, progress: null };
    try {
      const { loadWllamaModel } = await import('../engines/wllama-engine.ts');
      const model = await loadWllamaModel(
        entry
          ? {
              kind: 'url',
              url: entry.url.startsWith('/') ? location.origin + entry.url : entry.url,
              name: entry.label,
              key: entry.id,
              expectedBytes: entry.sizeBytes,
            }
          : { kind: 'file', file: file as File },
        {
          signal: ctl.signal,
          ...(entry && { contextSize: entry.contextWindowSize }),
          onProgress: (progress) => {
            if (this.loading?.label === label) this.loading = { label, progress };
          },
        },
      );
      this.loaded = { key, model };
      return model.engine;
    } catch (err) {
      const e = PlaygroundError.from(err, 'model_load_failed');
      if (e.code !== 'aborted') this.problem = e.toJSON();
      throw e;
    } finally {
      this.loading = null;
      this.cancelLoad = null;
      void this.refreshStored();
    }
  }

  cancel(): void {
    this.cancelLoad?.abort();
  }

  async unload(): Promise<void> {
    const current = this.loaded;
    this.loaded = null;
    if (current) await current.model.unload().catch(() => undefined);
  }
}

export const cpuModels = new CpuModelManager();
