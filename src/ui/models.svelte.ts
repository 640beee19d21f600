/**
 * The WebLLM side of the app: the registry (models/registry.json plus models the user added in
 * this browser), which models are installed, the WebGPU check, the one loaded model (with
 * progress and cancel), and the browser cache. Only this store touches the WebLLM modules, all
 * lazily.
 */
import registryJson from '../../models/registry.json';
import { getPromptProfile } from '../agent/prompt-profile.ts';
import type { ChatEngine } from '../agent/ports.ts';
import {
  smallerModels,
  validateRegistry,
  variantOf,
  type ModelEntry,
  type ModelRegistry,
} from '../engines/model-registry.ts';
import {
  checkWebGPU,
  fitModel,
  type NavigatorLike,
  type WebGPUReport,
} from '../engines/webgpu-check.ts';
// Small Cache API readers and writers, no web-llm code: part of the first load.
import {
  deleteCachedModel,
  listCachedModels,
  storageFigures,
  type CachedModel,
  type StorageFigures,
} from '../engines/webllm-cache.ts';
import {
  blobFolderAccess,
  copyFolderToCache,
  hasCompleteCopy,
  pickedFolder,
  type CopyProgress,
  type PickedFolder,
} from '../engines/webllm-cache-import.ts';
import {
  assertModelFolder,
  chooseModelSource,
  fetchLocalModels,
  httpFolderAccess,
  localFolderUrl,
  localModelPath,
  type LocalModelInfo,
} from '../engines/model-folder.ts';
import {
  addedEntry,
  addedModelId,
  checkHubModel,
  checkModelSource,
  parseHubRef,
  type HubRef,
  type ModelSourceCheck,
} from '../engines/model-source-check.ts';
import type { LoadedModel, LoadProgress } from '../engines/webllm-loader.ts';
import { PlaygroundError, type SerializedError } from '../errors.ts';
import { hostOf, loadFailure } from '../engines/load-failure.ts';
import {
  deleteAddedModel,
  listAddedModels,
  saveAddedModel,
  type AddedModel,
} from './added-models.ts';

/** The models shipped in models/registry.json. */
export const builtInRegistry = validateRegistry(registryJson);

/** The registry the app offers: built-in models, then the ones added in this browser. */
class LiveRegistry implements ModelRegistry {
  readonly version = 1 as const;
  models = $state.raw<ModelEntry[]>(builtInRegistry.models);
  // GGUF models for the CPU engine are not added in the browser; only WebLLM builds are.
  readonly cpuModels = builtInRegistry.cpuModels;
}

export const registry = new LiveRegistry();

export interface ModelProblem extends SerializedError {
  entry: ModelEntry | null;
  /** A model that needs less, to offer instead. */
  smaller: ModelEntry | null;
}

export interface Availability {
  /** 'checking': the app's server has not answered yet. */
  state: 'ready' | 'not-installed' | 'broken' | 'checking';
  /** Where the weights come from once ready. */
  where: 'remote' | 'server' | 'browser' | null;
  /** What is missing or wrong, and what to do; empty when ready. */
  problems: string[];
}

export interface PickerGroup {
  label: string;
  options: { entry: ModelEntry; note: string }[];
}

/** What the user chose in the add-a-model form. */
export interface AddChoice {
  label: string;
  promptProfile: string;
}

export type CheckedSource =
  | { kind: 'hub'; ref: HubRef; check: ModelSourceCheck; id: string }
  | { kind: 'folder'; folder: PickedFolder; check: ModelSourceCheck; id: string };

const appBase = (): string => location.origin + import.meta.env.BASE_URL;

export class ModelManager {
  gpu = $state.raw<WebGPUReport | null>(null);
  checking = $state(false);
  loaded = $state.raw<LoadedModel | null>(null);
  loading = $state.raw<{
    entry: ModelEntry;
    progress: LoadProgress | null;
    /** Where the files come from, for the progress line. */
    from: string | null;
  } | null>(null);
  problem = $state.raw<ModelProblem | null>(null);
  notes = $state.raw<string[]>([]);
  cached = $state.raw<CachedModel[]>([]);
  storage = $state.raw<StorageFigures | null>(null);
  /** What the app's server holds in models/<id>/resolve/main/; null until it answered. */
  localFolders = $state.raw<LocalModelInfo[] | null>(null);
  /** Ids of local-only models with a complete copy in this browser's cache. */
  browserCopies = $state.raw<readonly string[]>([]);
  added = $state.raw<AddedModel[]>([]);
  /** Why the added models could not be read, if they could not. */
  addedProblem = $state<string | null>(null);
  private cancelLoad: AbortController | null = null;
  private checkOnce: Promise<WebGPUReport> | null = null;
  private scanOnce: Promise<void> | null = null;
  private addedOnce: Promise<void> | null = null;

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

  /** Reads the models added in this browser into the registry (before the views read settings). */
  loadAdded(): Promise<void> {
    this.addedOnce ??= (async () => {
      try {
        this.setAdded(await listAddedModels());
      } catch (err) {
        this.addedProblem = PlaygroundError.from(err).message;
      }
    })();
    return this.addedOnce;
  }

  /** Finds what is installed: added models, the server's model folders, copies in the cache. */
  scan(): Promise<void> {
    this.scanOnce ??= this.loadAdded().then(() => this.rescan());
    return this.scanOnce;
  }

  /** Rescans the server's folders (after the user placed files there). */
  async rescan(): Promise<void> {
    this.localFolders = await fetchLocalModels(appBase());
    await this.refreshBrowserCopies();
  }

  private async refreshBrowserCopies(): Promise<void> {
    const local = registry.models.filter((m) => m.source === 'local');
    const found = await Promise.all(local.map((m) => hasCompleteCopy(m, location.origin)));
    this.browserCopies = local.filter((_, i) => found[i]).map((m) => m.id);
  }

  private setAdded(list: AddedModel[]): void {
    this.added = list.filter((a) => !builtInRegistry.models.some((m) => m.id === a.entry.id));
    registry.models = [...builtInRegistry.models, ...this.added.map((a) => a.entry)];
  }

  isAdded(id: string): boolean {
    return this.added.some((a) => a.entry.id === id);
  }

  /** Whether `entry` can load now, and if not, what the user has to do. */
  availability(entry: ModelEntry): Availability {
    if (entry.source !== 'local') return { state: 'ready', where: 'remote', problems: [] };
    if (this.browserCopies.includes(entry.id))
      return { state: 'ready', where: 'browser', problems: [] };
    if (this.localFolders === null) return { state: 'checking', where: null, problems: [] };
    const info = this.localFolders.find((m) => m.id === entry.id);
    if (info?.ok) return { state: 'ready', where: 'server', problems: [] };
    if (info) return { state: 'broken', where: null, problems: info.problems };
    if (this.isAdded(entry.id)) {
      return {
        state: 'not-installed',
        where: null,
        problems: [
          "Its copy is no longer in this browser's model cache (site data cleared?): remove it and add the folder again.",
        ],
      };
    }
    return {
      state: 'not-installed',
      where: null,
      problems: [
        ...chooseModelSource(entry, []).problems,
        'Or pick that folder under Add a model to copy it into this browser.',
      ],
    };
  }

  /** The build the pickers should hold for `id`: its q4f32 twin on a GPU without shader-f16. */
  runnableId(id: string): string {
    const entry = this.entry(id);
    if (!entry || !this.gpu || this.gpu.status !== 'ok' || this.gpu.shaderF16) return id;
    if (entry.quantization !== 'q4f16_1') return id;
    return variantOf(registry, entry, 'q4f32_1')?.id ?? id;
  }

  /**
   * The model picker's groups: what can load first (distilled agents, then base models, with the
   * builds this GPU runs before those it cannot), and models not installed last, marked so.
   */
  pickerGroups(): PickerGroup[] {
    const noF16 = this.gpu?.status === 'ok' && !this.gpu.shaderF16;
    const note = (m: ModelEntry): string =>
      noF16 && m.quantization === 'q4f16_1'
        ? 'needs shader-f16'
        : this.isAdded(m.id)
          ? 'added'
          : '';
    const order = (list: ModelEntry[]) =>
      noF16
        ? [...list].sort(
            (a, b) => Number(a.quantization === 'q4f16_1') - Number(b.quantization === 'q4f16_1'),
          )
        : list;
    const rated = registry.models.map((entry) => ({
      entry,
      state: this.availability(entry).state,
    }));
    const ready = rated.filter((r) => r.state === 'ready').map((r) => r.entry);
    const missing = rated.filter((r) => r.state !== 'ready');
    const missingNote: Record<Availability['state'], string> = {
      ready: '',
      checking: 'checking…',
      broken: 'folder has problems',
      'not-installed': 'not installed',
    };
    const groups: PickerGroup[] = [
      {
        label: 'Distilled agents',
        options: order(ready.filter((m) => m.kind === 'distilled')).map((entry) => ({
          entry,
          note: note(entry),
        })),
      },
      {
        label: 'Base instruct models',
        options: order(ready.filter((m) => m.kind === 'base')).map((entry) => ({
          entry,
          note: note(entry),
        })),
      },
      {
        label: 'Not installed (see Models)',
        options: missing.map(({ entry, state }) => ({ entry, note: missingNote[state] })),
      },
    ];
    return groups.filter((g) => g.options.length > 0);
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
    const { entry: toLoad, from } = await this.preferLocal(entry);
    await this.unload();
    this.problem = null;
    const ctl = new AbortController();
    this.cancelLoad = ctl;
    this.loading = { entry, progress: null, from };
    try {
      const { loadWebLLMModel } = await import('../engines/webllm-loader.ts');
      const loaded = await loadWebLLMModel(toLoad, {
        signal: ctl.signal,
        onProgress: (progress) => {
          if (this.loading?.entry === entry) this.loading = { entry, progress, from };
        },
      });
      this.loaded = loaded;
      return loaded.engine;
    } catch (err) {
      const e = PlaygroundError.from(err, 'model_load_failed');
      if (e.code === 'aborted') throw e;
      const told = loadFailure(e, entry, toLoad, from, location.origin);
      this.report(told, entry);
      throw told;
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
   * a local-only model copied into this browser loads from the cache; otherwise a local-only
   * model says what to place where.
   */
  private async preferLocal(entry: ModelEntry): Promise<{ entry: ModelEntry; from: string }> {
    const base = appBase();
    const folder = `models/${entry.id}/resolve/main/`;
    try {
      if (entry.source === 'local') {
        if (await hasCompleteCopy(entry, location.origin))
          return { entry, from: "this browser's model cache" };
      }
      const choice = chooseModelSource(entry, await fetchLocalModels(base));
      if (!choice.available) {
        throw new PlaygroundError(
          'model_folder_invalid',
          `${entry.label} runs from a local folder that is not ready: ${choice.problems.join(' ')}`,
        );
      }
      if (choice.local) {
        await assertModelFolder(httpFolderAccess(localFolderUrl(entry.id, base)), folder);
        return { entry: choice.entry, from: `this app's server (${folder})` };
      }
      return {
        entry: choice.entry,
        from: hostOf(choice.entry.model, location.origin) ?? choice.entry.model,
      };
    } catch (err) {
      const e = PlaygroundError.from(err, 'model_folder_invalid');
      this.report(e, entry);
      throw e;
    }
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
    const [cached, storage] = await Promise.all([
      listCachedModels(registry.models),
      storageFigures(),
    ]);
    this.cached = cached;
    this.storage = storage;
  }

  async remove(entry: ModelEntry): Promise<void> {
    if (this.loaded?.entry.id === entry.id) await this.unload();
    try {
      await deleteCachedModel(entry);
    } catch (err) {
      this.report(PlaygroundError.from(err, 'storage_failed'), entry);
    }
    await this.refreshCache();
    if (entry.source === 'local') await this.refreshBrowserCopies();
  }

  /** Reads and checks a hub repository's manifests; downloads no weights. */
  async checkHub(input: string): Promise<CheckedSource> {
    const ref = parseHubRef(input);
    const check = await checkHubModel(ref);
    const name = ref.repo.split('/').pop() ?? ref.repo;
    const quant = check.library?.ok ? check.library.quantization : '';
    return { kind: 'hub', ref, check, id: addedModelId(name, quant) };
  }

  /** Checks a folder picked in the browser; reads only its manifests. */
  async checkFolder(items: readonly { path: string; blob: Blob }[]): Promise<CheckedSource> {
    const folder = pickedFolder(items);
    const check = await checkModelSource(blobFolderAccess(folder.files));
    const quant = check.library?.ok ? check.library.quantization : '';
    return { kind: 'folder', folder, check, id: addedModelId(folder.name, quant) };
  }

  /** Why `source` cannot be added under its id, or null. */
  addConflict(source: CheckedSource): string | null {
    const existing = this.entry(source.id);
    if (!existing) return null;
    if (this.isAdded(existing.id))
      return `${existing.label} is already added; remove it first to add it again.`;
    if (source.kind === 'folder' && existing.source === 'local') return null;
    return `${existing.label} is already in the list as ${existing.id}${existing.source === 'prebuilt' ? ' (a prebuilt model: it downloads when loaded)' : ''}.`;
  }

  /**
   * Adds a checked model. A hub model is only listed (it downloads when loaded); a folder is
   * copied into the browser's cache first. A folder named like one of the registry's local slots
   * (convert_mlc.sh output) installs that slot instead of adding a second entry.
   */
  async add(
    source: CheckedSource,
    choice: AddChoice,
    onProgress?: (p: CopyProgress) => void,
  ): Promise<ModelEntry> {
    const conflict = this.addConflict(source);
    if (conflict) throw new PlaygroundError('bad_input', conflict);
    const sampling = getPromptProfile(choice.promptProfile).sampling;
    const slot = source.kind === 'folder' ? this.entry(source.id) : undefined;
    const lib = source.check.library;
    if (slot && lib?.ok && slot.modelLib !== lib.modelLib) {
      throw new PlaygroundError(
        'bad_input',
        `The folder is named like the slot ${slot.id}, but it holds a ${lib.library.name} ${lib.quantization} model, not what that slot runs: rename the folder to add it as a model of its own.`,
      );
    }
    const entry =
      slot ??
      addedEntry(
        source.check,
        builtInRegistry,
        {
          id: source.id,
          label: choice.label,
          promptProfile: choice.promptProfile,
          model: source.kind === 'hub' ? source.ref.url : localModelPath(source.id),
          source: source.kind === 'hub' ? 'hub' : 'local',
          notes:
            source.kind === 'hub'
              ? `Added from ${source.ref.url}; downloads when first loaded.`
              : `Added from the folder ${source.folder.name}, copied into this browser's model cache.`,
        },
        sampling,
      );
    if (source.kind === 'folder') {
      await copyFolderToCache(source.folder, source.check.folder, entry, {
        origin: location.origin,
        ...(onProgress && { onProgress }),
      });
    }
    if (!slot) {
      const record: AddedModel = {
        entry,
        origin: source.kind,
        from: source.kind === 'hub' ? source.ref.url : source.folder.name,
        bytes: source.check.totalBytes,
        addedAt: Date.now(),
      };
      await saveAddedModel(record);
      this.setAdded([...this.added, record]);
    }
    if (source.kind === 'folder') await this.refreshBrowserCopies();
    await this.refreshCache();
    return entry;
  }

  /** Removes an added model: its cached files and its record. */
  async removeAdded(id: string): Promise<void> {
    const record = this.added.find((a) => a.entry.id === id);
    if (!record) return;
    await this.remove(record.entry);
    await deleteAddedModel(id);
    this.setAdded(this.added.filter((a) => a.entry.id !== id));
    await this.refreshCache();
  }
}

export const models = new ModelManager();
