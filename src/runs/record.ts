import type { RunGitHub } from './context.js';
import type { CorruptLine, JournalEvent, StepStatus } from './journal.js';
import type { JobStep } from '../github/jobs.js';

/**
 * The run record: one JSON document per run, folded from the journal by record-run's post
 * step. Versioned by `schema`; a reader must accept unknown fields. Documented in the README.
 */
export const RUN_RECORD_SCHEMA = 'autostack.run-record/v1';

export type RunStatus = 'success' | 'failure' | 'cancelled';

export interface RecordStep {
  id: string;
  name: string;
  action?: string | undefined;
  /** 'interrupted': started but never finished (its process was killed). */
  status: StepStatus | 'running' | 'interrupted';
  startedAt?: string | undefined;
  durationMs?: number | undefined;
  inputFingerprint?: string | undefined;
  outputSummary?: string | undefined;
  error?: string | undefined;
}

export interface SystemTouched {
  system: string;
  target: string;
  operations: string[];
  count: number;
  duplicates: number;
}

export interface RunRecord {
  schema: typeof RUN_RECORD_SCHEMA;
  runId: string;
  name: string;
  status: RunStatus;
  /** Where the status came from: GitHub's view of every step, or only our own journal. */
  statusSource: 'github-api' | 'journal';
  startedAt: string;
  endedAt: string;
  durationMs: number;
  github: RunGitHub;
  trigger: Record<string, unknown>;
  steps: RecordStep[];
  jobSteps?: JobStep[] | undefined;
  totals: {
    modelCalls: number;
    inputTokens: number;
    outputTokens: number;
    cacheReadTokens: number;
    cacheWriteTokens: number;
    costUsd: number;
    toolCalls: number;
    eventsPublished: number;
  };
  systemsTouched: SystemTouched[];
  humanIntervened: boolean;
  interventions: string[];
  errors: Array<{ step?: string | undefined; message: string }>;
  /** What the run handed back (`autostack output NAME=VALUE`; the last value of a name wins). */
  outputs: Record<string, string>;
  journal: { path: string; events: number; corruptLines: CorruptLine[] };
  events: JournalEvent[];
}

export interface FoldInput {
  runId: string;
  name: string;
  journalPath: string;
  events: JournalEvent[];
  corrupt: CorruptLine[];
  github: RunGitHub;
  trigger: Record<string, unknown>;
  startedAt: string;
  endedAt: string;
  /** Steps as GitHub reports them, when the jobs API could be read. */
  jobSteps?: JobStep[] | undefined;
}

const roundUsd = (value: number) => Math.round(value * 1e6) / 1e6;

/** What folding the journal's events gathers, before the record is assembled. */
interface Fold {
  steps: Map<string, RecordStep>;
  errors: RunRecord['errors'];
  systems: Map<string, SystemTouched>;
  interventions: string[];
  outputs: Record<string, string>;
  totals: RunRecord['totals'];
  cancelled: boolean;
}

function foldStepFinished(fold: Fold, event: Extract<JournalEvent, { type: 'step.finished' }>): void {
  const step = fold.steps.get(event.step) ?? { id: event.step, name: event.step, status: 'running' };
  step.status = event.status;
  step.outputSummary = event.outputSummary;
  step.error = event.error;
  if (step.startedAt) step.durationMs = Date.parse(event.ts) - Date.parse(step.startedAt);
  fold.steps.set(event.step, step);
  if (event.error) fold.errors.push({ step: event.step, message: event.error });
  if (event.status === 'cancelled') fold.cancelled = true;
}

function foldSystemTouched(fold: Fold, event: Extract<JournalEvent, { type: 'system.touched' }>): void {
  const key = `${event.system} ${event.target}`;
  const entry = fold.systems.get(key) ?? {
    system: event.system,
    target: event.target,
    operations: [],
    count: 0,
    duplicates: 0,
  };
  entry.count += 1;
  if (event.duplicate) entry.duplicates += 1;
  if (!entry.operations.includes(event.operation)) entry.operations.push(event.operation);
  fold.systems.set(key, entry);
  if (event.operation === 'publish' || event.operation === 'dispatch')
    fold.totals.eventsPublished += event.duplicate ? 0 : 1;
}

function foldEvent(fold: Fold, event: JournalEvent): void {
  const { totals } = fold;
  switch (event.type) {
    case 'step.started':
      fold.steps.set(event.step, {
        id: event.step,
        name: event.name,
        action: event.action,
        status: 'running',
        startedAt: event.ts,
        inputFingerprint: event.inputFingerprint,
      });
      break;
    case 'step.finished':
      foldStepFinished(fold, event);
      break;
    case 'model.call':
      totals.modelCalls += 1;
      totals.inputTokens += event.inputTokens;
      totals.outputTokens += event.outputTokens;
      totals.cacheReadTokens += event.cacheReadTokens;
      totals.cacheWriteTokens += event.cacheWriteTokens;
      totals.costUsd += event.costUsd;
      break;
    case 'tool.call':
      totals.toolCalls += 1;
      break;
    case 'system.touched':
      foldSystemTouched(fold, event);
      break;
    case 'log':
      if (event.level === 'error') fold.errors.push({ step: event.step, message: event.message });
      break;
    case 'human.intervention':
      fold.interventions.push(`${event.who}: ${event.what}`);
      break;
    case 'run.cancelled':
      fold.cancelled = true;
      break;
    case 'output':
      fold.outputs[event.name] = event.value;
      break;
    case 'run.started':
      break;
  }
}

function foldEvents(input: FoldInput): Fold {
  const fold: Fold = {
    steps: new Map(),
    errors: [],
    systems: new Map(),
    interventions: [],
    outputs: {},
    totals: {
      modelCalls: 0,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0,
      toolCalls: 0,
      eventsPublished: 0,
    },
    cancelled: false,
  };
  for (const event of input.events) foldEvent(fold, event);
  fold.totals.costUsd = roundUsd(fold.totals.costUsd);
  // A step still 'running' when the post step folds the journal never finished: its process
  // was killed (cancellation, runner timeout) before it could say so.
  for (const step of fold.steps.values()) {
    if (step.status !== 'running') continue;
    step.status = 'interrupted';
    if (step.startedAt) step.durationMs = Date.parse(input.endedAt) - Date.parse(step.startedAt);
  }
  return fold;
}

export function foldRecord(input: FoldInput): RunRecord {
  const { steps, errors, systems, interventions, outputs, totals, cancelled } = foldEvents(input);
  const status = decideStatus([...steps.values()], input.jobSteps, cancelled);
  for (const jobStep of input.jobSteps ?? []) {
    if (jobStep.conclusion === 'failure' && !errors.some((error) => error.step === jobStep.name)) {
      errors.push({ step: jobStep.name, message: `step '${jobStep.name}' failed` });
    }
  }

  if (input.trigger.event === 'workflow_dispatch' && input.trigger.sender !== undefined) {
    interventions.push(`${String(input.trigger.sender)}: started the run by hand (workflow_dispatch)`);
  }
  const attempt = Number(input.github.runAttempt ?? '1');
  if (attempt > 1) interventions.push(`${input.github.actor ?? 'someone'}: re-ran the job (attempt ${attempt})`);

  return {
    schema: RUN_RECORD_SCHEMA,
    runId: input.runId,
    name: input.name,
    status,
    statusSource: input.jobSteps ? 'github-api' : 'journal',
    startedAt: input.startedAt,
    endedAt: input.endedAt,
    durationMs: Math.max(0, Date.parse(input.endedAt) - Date.parse(input.startedAt)),
    github: input.github,
    trigger: input.trigger,
    steps: [...steps.values()],
    jobSteps: input.jobSteps,
    totals,
    systemsTouched: [...systems.values()],
    humanIntervened: interventions.length > 0,
    interventions,
    errors,
    outputs,
    journal: { path: input.journalPath, events: input.events.length, corruptLines: input.corrupt },
    events: input.events,
  };
}

function decideStatus(steps: RecordStep[], jobSteps: JobStep[] | undefined, cancelledInJournal: boolean): RunStatus {
  const failed = steps.some((step) => step.status === 'failure');
  const interrupted = steps.some((step) => step.status === 'interrupted' || step.status === 'cancelled');
  if (jobSteps) {
    // GitHub saw every step, plain run: steps included, so its conclusions decide; our journal
    // adds what it cannot see (a step of ours that was killed before it could finish).
    const conclusions = jobSteps.map((step) => step.conclusion);
    if (cancelledInJournal || conclusions.includes('cancelled')) return 'cancelled';
    if (failed || interrupted || conclusions.includes('failure')) return 'failure';
    return 'success';
  }
  if (cancelledInJournal || interrupted) return 'cancelled';
  return failed ? 'failure' : 'success';
}
