/**
 * `playground models check|entry`: validate a converted model folder, and print the registry entry
 * for it (models/recipes/convert_mlc.sh calls `entry` last).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { getPromptProfile } from '../../agent/prompt-profile.ts';
import { PlaygroundError } from '../../errors.ts';
import { assertModelFolder, localModelPath } from '../../engines/model-folder.ts';
import { estimateVramMB } from '../../engines/model-architecture.ts';
import {
  validateRegistry,
  type ModelEntry,
  type ModelKind,
  type Quantization,
} from '../../engines/model-registry.ts';
import { nodeFolderAccess } from '../../engines/local-model-folders.ts';

/** Accepts models/<id>, models/<id>/resolve/main, or any folder holding mlc-chat-config.json. */
export function resolveModelFolder(path: string): { dir: string; id: string } {
  const abs = resolve(path);
  const nested = join(abs, 'resolve', 'main');
  if (existsSync(join(nested, 'mlc-chat-config.json'))) return { dir: nested, id: basename(abs) };
  if (basename(abs) === 'main' && basename(dirname(abs)) === 'resolve')
    return { dir: abs, id: basename(dirname(dirname(abs))) };
  return { dir: abs, id: basename(abs) };
}

type Obj = Record<string, unknown>;
const num = (o: Obj | undefined, k: string): number | undefined => {
  const v = o?.[k];
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
};

export interface EntryOptions {
  id?: string;
  base?: string;
  label?: string;
  kind: ModelKind;
  paramsB?: number;
  modelLib?: string;
  notes?: string;
  registry: string;
}

/** Builds and validates the registry entry for a checked folder. */
export async function buildEntry(
  folder: string,
  opts: EntryOptions,
): Promise<{ entry: ModelEntry; estimateMB: number; replaces: boolean }> {
  const { dir, id: folderId } = resolveModelFolder(folder);
  const check = await assertModelFolder(nodeFolderAccess(dir), dir);
  const config = check.chatConfig ?? {};
  const id = opts.id ?? folderId;
  const quantization = String(config.quantization ?? '') as Quantization;
  const registry = validateRegistry(JSON.parse(await readFile(opts.registry, 'utf8')));
  const base = opts.base ? registry.models.find((m) => m.id === opts.base) : undefined;
  if (opts.base && !base)
    throw new PlaygroundError('bad_input', `--base ${opts.base} is not in ${opts.registry}.`);
  if (base && base.quantization !== quantization)
    throw new PlaygroundError(
      'bad_input',
      `The folder is ${quantization || 'of unknown quantization'} but --base ${base.id} is ${base.quantization}: a fine-tune reuses the library of a base with the same quantization.`,
    );
  const modelLib = opts.modelLib ?? base?.modelLib;
  if (!modelLib)
    throw new PlaygroundError('bad_input', 'Give --base <registry id> or --model-lib <url>.');
  const estimateMB = estimateVramMB(config, check.weightBytes);
  const profile = opts.kind === 'distilled' ? 'distilled' : 'fewshot';
  const { temperature, topP } = getPromptProfile(profile).sampling;
  const paramsB = opts.paramsB ?? base?.paramsB;
  if (!paramsB) throw new PlaygroundError('bad_input', 'Give --params-b (e.g. 1.5).');
  const entry: ModelEntry = {
    id,
    label: opts.label ?? id,
    family: id.replace(/-q4f(16|32)_1(-MLC)?$/, ''),
    paramsB,
    quantization,
    kind: opts.kind,
    source: 'local',
    model: localModelPath(id),
    modelLib,
    // Same library, same memory plan: the base's measured figure beats our estimate.
    vramRequiredMB: base && modelLib === base.modelLib ? base.vramRequiredMB : estimateMB,
    contextWindowSize: num(config, 'context_window_size') ?? 4096,
    promptProfile: profile,
    sampling: { temperature, topP, samples: 1, maxTokens: 1024 },
    ...(base ? { baseModel: base.id } : {}),
    ...(opts.notes ? { notes: opts.notes } : {}),
  };
  const replaces = registry.models.some((m) => m.id === id);
  const others = registry.models.filter((m) => m.id !== id);
  validateRegistry({ version: 1, models: [...others, entry] });
  return { entry, estimateMB, replaces };
}

interface EntryCliOptions {
  id?: string;
  base?: string;
  label?: string;
  kind: ModelKind;
  paramsB?: string;
  modelLib?: string;
  notes?: string;
  registry: string;
}

export function register(program: Command): void {
  const models = program
    .command('models')
    .description(
      'Local model folders (models/<id>/resolve/main/): check them, make registry entries.',
    );

  models
    .command('check')
    .description('Check a converted MLC model folder the way the app does before loading it.')
    .argument('<folder>', 'models/<id>, models/<id>/resolve/main, or a converted output folder')
    .action(async (folder: string) => {
      const { dir } = resolveModelFolder(folder);
      const check = await assertModelFolder(nodeFolderAccess(dir), dir);
      process.stdout.write(
        `${dir}: ok, ${check.shards} shards, ${(check.weightBytes / 1e6).toFixed(1)} MB of weights\n`,
      );
    });

  models
    .command('entry')
    .description(
      'Print the models/registry.json entry for a converted model folder (checked first).',
    )
    .argument('<folder>', 'models/<id>, models/<id>/resolve/main, or a converted output folder')
    .option('--id <id>', 'model id (default: the folder name)')
    .option('--base <id>', 'registry id of the base model whose WebLLM library it reuses')
    .option('--label <text>', 'name shown in the app')
    .addOption(
      new Option('--kind <kind>', 'distilled agent or base model')
        .choices(['distilled', 'base'])
        .default('distilled'),
    )
    .option('--params-b <n>', 'parameters in billions (default: the base model’s)')
    .option('--model-lib <url>', 'WebLLM model library (default: the base model’s)')
    .option('--notes <text>', 'provenance and licence, shown to the user')
    .option('--registry <file>', 'registry to validate against', 'models/registry.json')
    .action(async (folder: string, o: EntryCliOptions) => {
      const paramsB = o.paramsB === undefined ? undefined : Number(o.paramsB);
      if (paramsB !== undefined && !(paramsB > 0))
        throw new PlaygroundError('bad_input', '--params-b must be a positive number.');
      const { entry, estimateMB, replaces } = await buildEntry(folder, { ...o, paramsB });
      process.stderr.write(
        `VRAM estimate from the folder: ${estimateMB} MB (entry uses ${entry.vramRequiredMB} MB).\n` +
          (replaces ? `This replaces the entry ${entry.id} already in ${o.registry}.\n` : '') +
          `Append this to "models" in ${o.registry}:\n`,
      );
      process.stdout.write(JSON.stringify(entry, null, 2) + '\n');
    });
}
