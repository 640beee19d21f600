/**
 * The one table of run settings: name, type, range and default. The CLI options, the app's
 * settings panel and deep links, decks and the model registry all take their ranges from here.
 * One rule for values out of range: what a person types into the app or a link is clamped,
 * what a file (deck, registry) or a CLI flag says is refused with the field and its range.
 */
import { numberFrom, type Check } from '../json-shape.ts';

export interface SettingSpec {
  integer: boolean;
  min: number;
  max: number;
  /** Absent for the seed, whose default is a fresh random draw. */
  default?: number;
}

export const SETTINGS = {
  samples: { integer: true, min: 1, max: 16, default: 1 },
  temperature: { integer: false, min: 0, max: 2, default: 0.4 },
  topP: { integer: false, min: 0, max: 1, default: 0.8 },
  maxSteps: { integer: true, min: 1, max: 50, default: 5 },
  maxTokens: { integer: true, min: 16, max: 32768, default: 1024 },
  pythonTimeoutS: { integer: false, min: 0.1, max: 3600, default: 20 },
  // WebLLM and OpenAI-compatible servers take an int32 seed.
  seed: { integer: true, min: 0, max: 2 ** 31 - 1 },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;

/** Whether `v` is a valid value of the setting. */
export function inSettingRange(key: SettingKey, v: unknown): v is number {
  const s: SettingSpec = SETTINGS[key];
  return (
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (!s.integer || Number.isInteger(v)) &&
    v >= s.min &&
    v <= s.max
  );
}

/**
 * The setting's range as a check of the JSON validator, for the files that carry settings;
 * `scale` gives the range in other units (1000: ms), e.g. "an integer from 1 to 16".
 */
export function settingCheck(key: SettingKey, scale = 1): Check {
  const s: SettingSpec = SETTINGS[key];
  return numberFrom(s.min * scale, s.max * scale, { integer: s.integer });
}

/** The nearest valid value: for what people type into the app and its links. */
export function clampSetting(key: SettingKey, v: number): number {
  const s: SettingSpec = SETTINGS[key];
  const x = Math.min(s.max, Math.max(s.min, v));
  return s.integer ? Math.round(x) : x;
}
