/**
 * The WebLLM side of the app: the registry, the WebGPU check, the one loaded model (with progress
 * and cancel), and the browser cache. Only this store touches the WebLLM modules, all lazily.
 */
import registryJson from '../../models/registry.json';
import type { ChatEngine } from '../engines/chat-engine.ts';
import { smallerModels, validateRegistry, type ModelEntry } from '../engines/model-registry.ts';
import {
  checkWebGPU,
  fitModel,
  type NavigatorLike,
  type WebGPUReport,
} from '../engines/webgpu-check.ts';
import type { CachedModel, StorageFigures } from '../engines/webllm-cache.ts';
import {
  assertModelFolder,
  chooseModelSource,
  fetchLocalModels,
  httpFolderAccess,
  localFolderUrl,
} from '../engines/model-folder.ts';
import type { LoadedModel, LoadProgress } from '../engines/webllm-loader.ts';
import { PlaygroundError, type SerializedError } from '../errors.ts';

export const registry = validateRegistry(registryJson);

export interface ModelProblem extends SerializedError {
  entry: ModelEntry | null;
  /** A model that needs less, to offer instead. */
  smaller: ModelEntry | null;
}

export class ModelManager {
  gpu = $state.raw<WebGPUReport | null>(null);
  checking = $state(false);
  loaded = $state.raw<LoadedModel | null>(null);
  loading = $state.raw<{ entry: ModelEntry; progress: LoadProgress | null } | null>(null);
  problem = $state.raw<ModelProblem | null>(null);
  notes = $state.raw<string[]>([]);
  cached = $state.raw<CachedModel[]>([]);
  storage = $state.raw<StorageFigures | null>(null);
  private cancelLoad: AbortController | null = null;
  private checkOnce: Promise<WebGPUReport> | null = null;

  entry(id: string): ModelEntry | undefined {
    return registry.models.find((m) => m.id === id);
  }

  check(): Promise<WebGPUReport> {
    this.checkOnce ??= (async () => {
      this.checking = true;
      try {
        const report = await checkWebGPU(navigator as unknown as NavigatorLike);
        this.gpu = report;
        return report;
      } finally {
        this.checking = false;
      }
    })();
    return this.checkOnce;
  }

  /** The engine for `id`, loading it (and unloading another) when needed. */
  async engineFor(id: string): Promise<ChatEngine> {
    const wanted = this.entry(id);
    if (!wanted) throw new PlaygroundError('bad_input', `Model "${id}" is not in the registry.`);
    if (this.loaded?.entry.id === id) return this.loaded.engine;
    const report = await this.check();
    const fit = fitModel(report, registry, wanted);
    this.notes = fit.notes;
    if (!fit.ok || !fit.model) {
      this.problem = {
        code: 'webgpu_unavailable',
        message: fit.notes.join(' '),
        entry: wanted,
        smaller: null,
      };
      throw new PlaygroundError('webgpu_unavailable', this.problem.message);
    }
    const entry = fit.model;
    if (this.loaded?.entry.id === entry.id) return this.loaded.engine;
    const toLoad = await this.preferLocal(entry);
    await this.unload();
    this.problem = null;
    const ctl = new AbortController();
    this.cancelLoad = ctl;
    this.loading = { entry, progress: null };
    try {
      const { loadWebLLMModel } = await import('../engines/webllm-loader.ts');
      const loaded = await loadWebLLMModel(toLoad, {
        signal: ctl.signal,
        onProgress: (progress) => {
          if (this.loading?.entry === entry) this.loading = { entry, progress };
        },
      });
      this.loaded = loaded;
      return loaded.engine;
    } catch (err) {
      const e = PlaygroundError.from(err, 'model_load_failed');
      if (e.code !== 'aborted') this.report(e, entry);
      throw e;
    } finally {
      this.loading = null;
      this.cancelLoad = null;
      void this.refreshCache();
    }
  }

  cancel(): void {
    this.cancelLoad?.abort();
  }

  /**
   * A copy in models/<id>/resolve/main/ wins over the remote URL, once its files check out;
   * a distilled checkpoint that exists only locally says what to place where.
   */
  private async preferLocal(entry: ModelEntry): Promise<ModelEntry> {
    // BASE_URL is an absolute path in this app (vite's default `/`).
    const base = location.origin + import.meta.env.BASE_URL;
    const choice = chooseModelSource(entry, await fetchLocalModels(base));
    const folder = `models/${entry.id}/resolve/main/`;
    try {
      if (!choice.available) {
        throw new PlaygroundError(
          'model_folder_invalid',
          `${entry.label} runs from a local folder that is not ready: ${choice.problems.join(' ')}`,
        );
      }
      if (choice.local) {
        await assertModelFolder(httpFolderAccess(localFolderUrl(entry.id, base)), folder);
      }
    } catch (err) {
      const e = PlaygroundError.from(err, 'model_folder_invalid');
      this.report(e, entry);
      throw e;
    }
    return choice.entry;
  }

  /** Records a failure; device loss and OOM also drop the model, which is no longer usable. */
  report(e: SerializedError, entry: ModelEntry | null = this.loaded?.entry ?? null): void {
    const gpuFailure = e.code === 'device_lost' || e.code === 'out_of_memory';
    this.problem = {
      code: e.code,
      message: e.message,
      entry,
      smaller: gpuFailure && entry ? (smallerModels(registry, entry)[0] ?? null) : null,
    };
    if (gpuFailure && this.loaded) {
      const gone = this.loaded;
      this.loaded = null;
      void gone.unload().catch(() => undefined);
    }
  }

  dismissProblem(): void {
    this.problem = null;
  }

  async unload(): Promise<void> {
    const current = this.loaded;
    this.loaded = null;
    if (current) await current.unload().catch(() => undefined);
  }

  async refreshCache(): Promise<void> {
    const { listCachedModels, storageFigures } = await import('../engines/webllm-cache.ts');
    const [cached, storage] = await Promise.all([
      listCachedModels(registry.models),
      storageFigures(),
    ]);
    this.cached = cached;
    this.storage = storage;
  }

  async remove(entry: ModelEntry): Promise<void> {
    if (this.loaded?.entry.id === entry.id) await this.unload();
    const { deleteCachedModel } = await import('../engines/webllm-cache.ts');
    try {
      await deleteCachedModel(entry);
    } catch (err) {
      this.report(PlaygroundError.from(err, 'storage_failed'), entry);
    }
    await this.refreshCache();
  }
}

export const models = new ModelManager();
