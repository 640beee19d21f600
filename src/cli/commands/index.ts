import type { Command } from 'commander';
import { register as registerGrade } from './grade.ts';

/** Every CLI command registers itself on the program; add one line per command file. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerGrade,
];
