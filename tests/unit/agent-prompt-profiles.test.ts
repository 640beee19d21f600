import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROMPT_PROFILES, getPromptProfile } from '../../src/agent/prompt-profile.ts';
import { SHARED_DATA_DIR, haveSharedInputs } from '../helpers/shared-inputs.ts';

const specDir = resolve(SHARED_DATA_DIR, '..', 'spec', 'prompts');
const haveSpec = haveSharedInputs('The byte comparison of the distilled prompts', [specDir]);

describe('prompt profiles', () => {
  it.skipIf(!haveSpec)('carries the distilled prompts byte for byte', () => {
    const p = getPromptProfile('distilled');
    const read = (f: string): string => readFileSync(resolve(specDir, f), 'utf8');
    expect(p.agentSystem).toBe(read('agent_system_distilled.txt'));
    expect(p.taskSuffix).toBe(read('task_suffix.txt'));
    expect(p.cotSystem).toBe(read('cot_system.txt'));
    expect(p.fallbackSystem).toBe(read('fallback_system.txt'));
    expect(p.fallbackUser).toBe(read('fallback_user.txt'));
  });

  it('every profile names its origin and keeps the protocol format', () => {
    for (const p of Object.values(PROMPT_PROFILES)) {
      expect(p.origin).toMatch(/licen[cs]e/i);
      expect(p.agentSystem).toContain("'Thought:', 'Code:', and 'Observation:'");
      expect(p.agentSystem).toContain('- web_search:');
      expect(p.fallbackUser).toContain('{{task}}');
    }
    expect(getPromptProfile('fewshot').agentSystem).toContain('```<end_code>');
  });

  it('refuses an unknown profile with the list of known ones', () => {
    expect(() => getPromptProfile('nope')).toThrow(/distilled, fewshot/);
  });
});
