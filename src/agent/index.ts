/**
 * The method's public surface: the agent loop, the CoT baseline, the teacher pipeline, their
 * records and events, and the ports (ports.ts) that engines, Python and search implement.
 */
export type * from './ports.ts';
export type * from './events.ts';
export type * from './run-record.ts';
export * from './run-agent.ts';
export * from './run-cot.ts';
export * from './run-teacher.ts';
export * from './follow-up.ts';
export { addUsage, emptyUsage } from './token-usage.ts';
export * from './settings.ts';
export * from './run-question.ts';
