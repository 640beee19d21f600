import type { Command } from 'commander';
import { register as registerAsk } from './ask.ts';
import { register as registerChat } from './chat.ts';
import { register as registerDistill } from './distill.ts';
import { register as registerDoctor } from './doctor.ts';
import { register as registerGrade } from './grade.ts';
import { register as registerReport } from './report.ts';
import { register as registerEval } from './eval.ts';
import { register as registerIndexBuild } from './index-build.ts';
import { register as registerModels } from './models.ts';
import { register as registerSearch } from './search.ts';
import { register as registerSetup } from './setup.ts';

/** Every CLI command registers itself on the program; add one line per command file. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerAsk,
  registerChat,
  registerDistill,
  registerDoctor,
  registerGrade,
  registerReport,
  registerEval,
  registerIndexBuild,
  registerModels,
  registerSearch,
  registerSetup,
];
