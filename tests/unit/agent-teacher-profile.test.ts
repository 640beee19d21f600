import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getPromptProfile } from '../../src/agent/prompt-profile.ts';

const teacher = getPromptProfile('teacher');
const distilled = getPromptProfile('distilled');

// The reference source (github.com/Nardien/agent-distillation), where a checkout is at hand
// (AGENT_REFERENCE_DIR; not in CI).
const REF_YAML = join(
  process.env.AGENT_REFERENCE_DIR ?? '/work/ref',
  'src/smolagents/prompts/code_agent.yaml',
);
const canRender =
  existsSync(REF_YAML) &&
  spawnSync('python3', ['-c', 'import yaml, jinja2'], { stdio: 'ignore' }).status === 0;

/** CodeAgent.initialize_system_prompt with the two tools and processors/agent.py's imports. */
const RENDER = `
import sys, yaml, jinja2
class T:
    def __init__(s, n, d, i, o): s.name, s.description, s.inputs, s.output_type = n, d, i, o
tools = {
  'web_search': T('web_search', 'Uses semantic search to retrieve the parts of 2018 wikipedia that could be most relevant to answer your query.', {'query': {'type': 'string', 'description': 'The query to perform. This should be semantically close to your target documents. Use the affirmative form rather than a question.'}}, 'string'),
  'final_answer': T('final_answer', 'Provides a final answer to the given problem.', {'answer': {'type': 'any', 'description': 'The final answer to the problem'}}, 'any'),
}
base = ['collections','datetime','itertools','math','queue','random','re','stat','statistics','time','unicodedata']
imports = sorted(set(base) | {'numpy', 'sympy', 'numpy.linalg'})
y = yaml.safe_load(open(sys.argv[1]))
sys.stdout.write(jinja2.Template(y[sys.argv[2]], undefined=jinja2.StrictUndefined).render(tools=tools, managed_agents={}, authorized_imports=str(imports)))
`;

describe('the teacher prompt profile', () => {
  it("is smolagents' long agent prompt with the two tools, and the reference's other prompts", () => {
    expect(teacher.agentSystem).toContain('Here are a few examples using notional tools:');
    expect(teacher.agentSystem).toContain(
      "- web_search: Uses semantic search to retrieve the parts of 2018 wikipedia that could be most relevant to answer your query.\n    Takes inputs: {'query': {'type': 'string',",
    );
    expect(teacher.agentSystem).toContain(
      "only from the following list of modules: ['collections', 'datetime', 'itertools', 'math', 'numpy', 'numpy.linalg', 'queue', 'random', 're', 'stat', 'statistics', 'sympy', 'time', 'unicodedata']",
    );
    expect(teacher.agentSystem.endsWith('you will receive a reward of $1,000,000.')).toBe(true);
    expect(teacher.agentSystem.length).toBeGreaterThan(distilled.agentSystem.length * 3);
    for (const k of ['taskSuffix', 'cotSystem', 'fallbackSystem', 'fallbackUser'] as const)
      expect(teacher[k]).toBe(distilled[k]);
    expect(teacher.sampling).toEqual({ temperature: 0, topP: 0.8 });
  });

  it.skipIf(!canRender)('matches the reference YAML rendered as CodeAgent renders it', () => {
    const render = (key: string): string =>
      spawnSync('python3', ['-c', RENDER, REF_YAML, key], { encoding: 'utf8' }).stdout;
    expect(teacher.agentSystem).toBe(render('system_prompt'));
    // The same rendering reproduces the distilled prompt, which the spec files pin.
    expect(distilled.agentSystem).toBe(render('system_prompt_short'));
  });
});
