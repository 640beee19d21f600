/**
 * Prompt profiles travel as model metadata (models/prompt-profiles/*.json): the distilled
 * checkpoints only behave with the exact strings they were trained on.
 */
import distilled from '../../models/prompt-profiles/distilled.json';
import fewshot from '../../models/prompt-profiles/fewshot.json';
import teacher from '../../models/prompt-profiles/teacher.json';
import { PlaygroundError } from '../errors.ts';

export interface PromptProfile {
  id: string;
  label: string;
  description: string;
  /** Where the strings come from, and their licence. */
  origin: string;
  agentSystem: string;
  taskSuffix: string;
  cotSystem: string;
  fallbackSystem: string;
  fallbackUser: string;
  sampling: { temperature: number; topP: number };
}

export const PROMPT_PROFILES: Readonly<Record<string, PromptProfile>> = {
  distilled,
  fewshot,
  teacher,
};

export function getPromptProfile(id: string): PromptProfile {
  const profile = PROMPT_PROFILES[id];
  if (!profile) {
    throw new PlaygroundError(
      'bad_input',
      `Unknown prompt profile "${id}". Use one of: ${Object.keys(PROMPT_PROFILES).join(', ')}.`,
    );
  }
  return profile;
}
