export { WorkflowRunner, type RunnerOptions, type RunRequest, type SessionResult, type WorkflowRunResult, type JobResult, type StepResult } from './runner.js';
export { loadWorkflow, type LoadedWorkflow } from './load.js';
export { evaluateExpression, evaluateCondition, type Json } from './expressions.js';
export { matchTrigger } from './triggers.js';
export { parseEnvFile } from './env-file.js';
export type { StepHook, StepHookContext, StepCommand } from './hooks.js';
