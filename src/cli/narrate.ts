/**
 * A run's progress as terminal text, for `ask` (stderr, whole outputs) and `chat` (stdout, tokens
 * as they stream).
 */
import type { AgentEvent } from '../agent/events.ts';

export function narrate(
  out: (s: string) => void,
  how: { streamed: boolean },
): (event: AgentEvent) => void {
  return (e) => {
    switch (e.type) {
      case 'step-started':
        out(`\n── step ${e.step} ──\n`);
        break;
      case 'token':
        if (how.streamed) out(e.delta);
        break;
      case 'model-output':
        if (e.outputs.length > 1) out(`${e.outputs.length} candidates sampled\n`);
        else out(how.streamed ? '\n' : `${e.outputs[0] ?? ''}\n`);
        break;
      case 'vote':
        out(
          `vote: ${e.groups.map((g) => g.members.length).join(' / ')} → candidate ${e.chosen + 1}\n`,
        );
        break;
      case 'observation':
        out(`${e.observation}\n`);
        break;
      case 'fallback-started':
        out('\n── max steps reached: asking for a final answer ──\n');
        break;
      default:
        break;
    }
  };
}
