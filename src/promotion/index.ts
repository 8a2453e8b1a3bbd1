/**
 * Prompt promotion: the prompt lock (channels → promoted versions, with snapshots), the eval
 * gate over a prompt's testData and evaluators, and the promotion itself (local, commit, or
 * pull request), with rollback.
 */
export {
  CHANNEL,
  LOCK_FILE,
  LOCK_FORMAT,
  SNAPSHOT_DIRECTORY,
  loadPromotedPrompt,
  lockKey,
  parseLock,
  readLockFile,
  serializeLock,
  type LockEntry,
  type LockFile,
} from './lock.js';
export { evaluatePrompt, type CaseOutcome, type EvalRun, type EvalRunTemplate } from './evals.js';
export { evalTable, unifiedDiff } from './report.js';
export { promotePrompt, type PromoteMode, type PromoteResult, type PromoteSpec } from './promote.js';
