/**
 * Models the user added in the browser (from a hub repository or a picked folder), kept in
 * IndexedDB so they survive reloads. Each record is checked again when read: a bad record is
 * skipped, never loaded.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { modelEntryCheck, type ModelEntry } from '../engines/model-registry.ts';
import { ShapeError, finiteNumber, object, oneOf, string, validate } from '../json-shape.ts';
import { PlaygroundError } from '../errors.ts';

export const ADDED_MODELS_DB = 'small-agent-playground-models';

export interface AddedModel {
  entry: ModelEntry;
  /** 'hub': downloads on first load; 'folder': copied into the browser's model cache. */
  origin: 'hub' | 'folder';
  /** The repository URL or the folder name it came from. */
  from: string;
  /** Bytes of every file WebLLM reads. */
  bytes: number;
  addedAt: number;
}

interface AddedDB extends DBSchema {
  models: { key: string; value: AddedModel };
}

let db: Promise<IDBPDatabase<AddedDB>> | null = null;

function open(): Promise<IDBPDatabase<AddedDB>> {
  db ??= openDB<AddedDB>(ADDED_MODELS_DB, 1, {
    upgrade(d) {
      d.createObjectStore('models', { keyPath: 'entry.id' });
    },
  });
  db.catch(() => {
    db = null;
  });
  return db;
}

function storageFailed(what: string, err: unknown): PlaygroundError {
  return new PlaygroundError(
    'storage_failed',
    `Could not ${what} the list of added models in this browser's storage (private mode, or storage blocked?).`,
    { cause: err },
  );
}

const addedModel = object<AddedModel>({
  entry: modelEntryCheck,
  origin: oneOf('hub', 'folder'),
  from: string,
  bytes: finiteNumber,
  addedAt: finiteNumber,
});

/** The record as stored, or null when it no longer validates (e.g. an older app wrote it). */
function checked(raw: unknown): AddedModel | null {
  try {
    return validate<AddedModel>(raw, addedModel, 'model');
  } catch (err) {
    if (err instanceof ShapeError) return null;
    throw err;
  }
}

/** Every added model that still validates, oldest first. */
export async function listAddedModels(): Promise<AddedModel[]> {
  let all: AddedModel[];
  try {
    all = await (await open()).getAll('models');
  } catch (err) {
    throw storageFailed('read', err);
  }
  return all
    .map(checked)
    .filter((m): m is AddedModel => m !== null)
    .sort((a, b) => a.addedAt - b.addedAt);
}

export async function saveAddedModel(model: AddedModel): Promise<void> {
  try {
    await (await open()).put('models', model);
  } catch (err) {
    throw storageFailed('save to', err);
  }
}

export async function deleteAddedModel(id: string): Promise<void> {
  try {
    await (await open()).delete('models', id);
  } catch (err) {
    throw storageFailed('update', err);
  }
}
