/**
 * `playground chat`: the app's conversation in a terminal. Every question after the first
 * continues the same agent memory and Python state (follow-up.ts); `/new` starts over. Ctrl-C
 * stops the step that is running and keeps the conversation; at the prompt it clears the line,
 * and on an empty line (or Ctrl-D) it ends the session.
 */
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { contextLevel, nextQuestionTokens } from '../../agent/context-window.ts';
import type { PromptProfile } from '../../agent/prompt-profile.ts';
import { followUpProblem, recordTurns } from '../../agent/follow-up.ts';
import { createRunFile, serializeRunFile } from '../../records/run-file.ts';
import { runAgent } from '../../agent/run-agent.ts';
import type { RunRecord } from '../../agent/run-record.ts';
import {
  addEngineOptions,
  agentSettings,
  createEngine,
  number,
  profileOf,
  type EngineCliOptions,
} from '../engine-options.ts';
import { narrate } from '../narrate.ts';
import { createCliSandbox } from '../sandbox-and-tools.ts';

interface ChatOptions extends EngineCliOptions {
  contextWindow?: number;
  save?: string;
}

export const CHAT_PROMPT = 'you> ';

const HELP = `Ask a question; every next one is a follow-up in the same conversation (the agent keeps
its steps and Python variables). Commands:
  /new        start a new conversation
  /save FILE  write this session's conversations as a runs file (the app's History imports it)
  /help       this text
  /quit       leave (or Ctrl-D; Ctrl-C on an empty line)
Ctrl-C while the agent works stops the current step and keeps the conversation.
`;

export function register(program: Command): void {
  const cmd = program
    .command('chat')
    .description(
      'Talk with the agent in the terminal: follow-up questions continue the same memory and Python state.',
    )
    .option(
      '--context-window <tokens>',
      "the model's context window; the chat warns before a follow-up would not fit",
      number('--context-window', { min: 256, max: 10_000_000, integer: true }),
    )
    .option(
      '--save <file>',
      'keep the conversations in this runs file, rewritten after each answer',
    );
  addEngineOptions(cmd).action(async (opts: ChatOptions) => {
    const engine = createEngine(opts);
    const profile = profileOf(opts);
    const out = (s: string): void => void process.stdout.write(s);
    out(`playground chat with ${engine.model} at ${opts.baseUrl ?? ''}. /help for commands.\n`);
    const sandbox = await createCliSandbox(opts);
    const finished: RunRecord[] = [];
    let conversation: RunRecord | null = null;
    let running: AbortController | null = null;

    const save = (file = opts.save): void => {
      if (!file) return;
      const runs = [...finished, ...(conversation ? [conversation] : [])];
      writeFileSync(file, serializeRunFile(createRunFile(runs, new Date())));
    };

    const rl = createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: Boolean(process.stdin.isTTY),
      historySize: 1000,
      removeHistoryDuplicates: true,
      prompt: CHAT_PROMPT,
    });
    const interrupt = (): void => {
      if (running) {
        running.abort();
        out('\n(stopping the current step; the conversation is kept)\n');
      } else if (rl.line) {
        // Readline keeps the typed text; drop it and show a fresh prompt.
        rl.write(null, { ctrl: true, name: 'u' });
      } else {
        out('\n');
        rl.close();
      }
    };
    rl.on('SIGINT', interrupt);
    // Without a terminal (input piped), Ctrl-C arrives as a signal.
    process.on('SIGINT', interrupt);

    const ask = async (question: string): Promise<void> => {
      const previous = conversation && !followUpProblem(conversation) ? conversation : null;
      const controller = new AbortController();
      running = controller;
      try {
        const record = await runAgent({
          question,
          engine,
          sandbox,
          profile,
          ...agentSettings(opts),
          ...(previous && { continueFrom: previous }),
          ...(opts.contextWindow !== undefined && { contextWindow: opts.contextWindow }),
          signal: controller.signal,
          onEvent: narrate(out, { streamed: true }),
        });
        conversation = record;
        if (record.status === 'aborted')
          out('\nStopped. Ask on, or /new for a new conversation.\n');
        else if (record.error) out(`\n${record.error.message}\n`);
        else out(`\nanswer: ${record.answer ?? ''}\n`);
        out(contextLine(record, opts.contextWindow, profile));
        save();
      } finally {
        running = null;
      }
    };

    rl.prompt();
    try {
      for await (const raw of rl) {
        const line = raw.trim();
        if (line === '/quit' || line === '/exit') break;
        if (line === '/help') out(HELP);
        else if (line === '/new') {
          if (conversation) finished.push(conversation);
          conversation = null;
          out('New conversation: the agent and Python start from nothing.\n');
        } else if (line.startsWith('/save')) {
          const file = line.slice(5).trim() || opts.save;
          if (!file) out('Give a file: /save conversations.json\n');
          else {
            save(file);
            out(`Saved to ${file}.\n`);
          }
        } else if (line.startsWith('/')) out(`Unknown command ${line}. /help lists them.\n`);
        else if (line) await ask(line);
        rl.prompt();
      }
    } finally {
      process.off('SIGINT', interrupt);
      rl.close();
      save();
      await sandbox.dispose();
    }
  });
}

/** How much of the window the next question starts with, and a warning near the end. */
function contextLine(
  record: RunRecord,
  window: number | undefined,
  profile: PromptProfile,
): string {
  if (record.messages.length === 0) return '';
  const { tokens, measured } = nextQuestionTokens(record, profile);
  const turns = recordTurns(record).length;
  const approx = measured ? '' : '~';
  if (!window)
    return `(${turns} question${turns === 1 ? '' : 's'}, context ${approx}${tokens} tokens)\n`;
  const use = contextLevel(tokens, window, measured);
  const base = `(${turns} question${turns === 1 ? '' : 's'}, context ${approx}${tokens} of ${window} tokens)`;
  if (use.level === 'full')
    return `${base}\nThe conversation fills the context window: /new starts a new one.\n`;
  if (use.level === 'warn')
    return `${base}\nThe conversation is getting long; a follow-up may not fit. /new starts a new one.\n`;
  return `${base}\n`;
}
