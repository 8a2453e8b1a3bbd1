import { interventionsOf, readStoredRun, runUrl, type StoredRun } from './records.js';
import type { StoredRecordSummary } from '../runs/stored-records.js';

// Dashboard figures, gathered in one streaming pass over the record files: each record is read,
// folded into counters and dropped. Only durations (one number a run, for exact percentiles)
// and the newest `recentLimit` runs (for the drill-down) are kept, so 100,000 runs fit easily.

/** What every level counts of its runs: the whole window, and each automation. */
interface RunCounts {
  runs: number;
  failures: number;
  humanRuns: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
}

/** The whole window's counts, with the records that could not be read and the cache reads. */
interface WindowTotals extends RunCounts {
  unreadable: number;
  cacheReadTokens: number;
}

export interface AutomationFigures extends RunCounts {
  name: string;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
}

export interface ModelFigures {
  model: string;
  calls: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
}

/** A run as lists show it: the same fields `runs list` reads from the local store. */
export interface DrillDownRun extends Omit<StoredRecordSummary, 'path'> {
  url?: string | undefined;
  interventions: string[];
  error?: string | undefined;
  steps: Array<{ name: string; status: string; offsetMs: number; durationMs: number; error?: string | undefined }>;
}

export interface Aggregates extends WindowTotals {
  generatedAt: string;
  firstAt?: string | undefined;
  lastAt?: string | undefined;
  p50Ms: number;
  p95Ms: number;
  /** Hour (ISO, `2026-01-02T13`) → [runs, failures], for the last `hours` hours before lastAt. */
  perHour: Array<{ hour: string; runs: number; failures: number }>;
  automations: AutomationFigures[];
  models: ModelFigures[];
  recentFailures: DrillDownRun[];
  recent: DrillDownRun[];
}

export interface AggregateOptions {
  recentLimit?: number;
  failureLimit?: number;
  /** How many hours the runs-per-hour chart covers. */
  hours?: number;
  now?: Date;
}

export function percentile(sorted: Float64Array | number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  // Nearest-rank: the smallest value with at least `fraction` of the values at or below it.
  const rank = Math.max(1, Math.ceil(fraction * sorted.length));
  return sorted[rank - 1] ?? 0;
}

interface AutomationAcc extends Omit<AutomationFigures, 'errorRate' | 'p50Ms' | 'p95Ms'> {
  durations: number[];
}

/** Everything kept while streaming: counters, durations and the bounded newest-run lists. */
interface Tally {
  automations: Map<string, AutomationAcc>;
  models: Map<string, ModelFigures>;
  hours: Map<string, { runs: number; failures: number }>;
  all: number[];
  recent: StoredRun[];
  failures: StoredRun[];
  totals: WindowTotals;
  firstAt?: string | undefined;
  lastAt?: string | undefined;
}

interface Limits {
  recentLimit: number;
  failureLimit: number;
}

export function aggregateRuns(files: Iterable<string>, options: AggregateOptions = {}): Aggregates {
  const limits = { recentLimit: options.recentLimit ?? 200, failureLimit: options.failureLimit ?? 20 };
  const tally: Tally = {
    automations: new Map(),
    models: new Map(),
    hours: new Map(),
    all: [],
    recent: [],
    failures: [],
    totals: {
      runs: 0,
      failures: 0,
      humanRuns: 0,
      unreadable: 0,
      costUsd: 0,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
    },
  };
  for (const file of files) {
    const run = readStoredRun(file);
    if (!run) {
      tally.totals.unreadable += 1;
      continue;
    }
    foldRun(tally, run, limits);
  }
  return summarise(tally, limits, options);
}

function foldRun(tally: Tally, run: StoredRun, limits: Limits): void {
  const failed = run.status !== 'success';
  const human = interventionsOf(run).length > 0;
  addTotals(tally, run, failed, human);
  addAutomation(tally.automations, run, failed, human);
  addModelCalls(tally.models, run);
  const hour = run.startedAt.slice(0, 13);
  const bucket = tally.hours.get(hour) ?? { runs: 0, failures: 0 };
  bucket.runs += 1;
  if (failed) bucket.failures += 1;
  tally.hours.set(hour, bucket);
  keepNewest(tally, run, failed, limits);
}

/** Counts one run into the whole window's totals or one automation's. */
function countRun(counts: RunCounts, run: StoredRun, failed: boolean, human: boolean): void {
  counts.runs += 1;
  if (failed) counts.failures += 1;
  if (human) counts.humanRuns += 1;
  counts.costUsd += run.totals?.costUsd ?? 0;
  counts.inputTokens += run.totals?.inputTokens ?? 0;
  counts.outputTokens += run.totals?.outputTokens ?? 0;
}

function addTotals(tally: Tally, run: StoredRun, failed: boolean, human: boolean): void {
  countRun(tally.totals, run, failed, human);
  tally.totals.cacheReadTokens += run.totals?.cacheReadTokens ?? 0;
  if (!tally.firstAt || run.startedAt < tally.firstAt) tally.firstAt = run.startedAt;
  if (!tally.lastAt || run.startedAt > tally.lastAt) tally.lastAt = run.startedAt;
  tally.all.push(run.durationMs);
}

function addAutomation(automations: Map<string, AutomationAcc>, run: StoredRun, failed: boolean, human: boolean): void {
  const automation = automations.get(run.name) ?? {
    name: run.name,
    runs: 0,
    failures: 0,
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    humanRuns: 0,
    durations: [],
  };
  countRun(automation, run, failed, human);
  automation.durations.push(run.durationMs);
  automations.set(run.name, automation);
}

function addModelCalls(models: Map<string, ModelFigures>, run: StoredRun): void {
  for (const event of run.events ?? []) {
    if (event.type !== 'model.call' || event.cacheHit) continue;
    const model = models.get(event.model) ?? {
      model: event.model,
      calls: 0,
      costUsd: 0,
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
    };
    model.calls += 1;
    model.costUsd += event.costUsd;
    model.inputTokens += event.inputTokens;
    model.outputTokens += event.outputTokens;
    model.cacheReadTokens += event.cacheReadTokens ?? 0;
    models.set(event.model, model);
  }
}

function keepNewest(tally: Tally, run: StoredRun, failed: boolean, limits: Limits): void {
  // Keep the newest N without sorting 100,000 runs: trim when twice the size.
  tally.recent.push(run);
  if (tally.recent.length >= limits.recentLimit * 2) tally.recent = newest(tally.recent, limits.recentLimit);
  if (failed) {
    tally.failures.push(run);
    if (tally.failures.length >= limits.failureLimit * 2) tally.failures = newest(tally.failures, limits.failureLimit);
  }
}

function summarise(tally: Tally, limits: Limits, options: AggregateOptions): Aggregates {
  const { totals, firstAt, lastAt } = tally;
  const sortedAll = Float64Array.from(tally.all).sort();
  const perHour = perHourSeries(tally.hours, lastAt, options);
  return {
    generatedAt: (options.now ?? new Date()).toISOString(),
    ...totals,
    costUsd: round(totals.costUsd),
    firstAt,
    lastAt,
    p50Ms: percentile(sortedAll, 0.5),
    p95Ms: percentile(sortedAll, 0.95),
    perHour,
    automations: automationFigures(tally.automations),
    models: [...tally.models.values()]
      .map((model) => ({ ...model, costUsd: round(model.costUsd) }))
      .sort((a, b) => b.costUsd - a.costUsd),
    recentFailures: newest(tally.failures, limits.failureLimit).map(drillDown),
    recent: newest(tally.recent, limits.recentLimit).map(drillDown),
  };
}

function perHourSeries(
  hours: Tally['hours'],
  lastAt: string | undefined,
  options: AggregateOptions,
): Aggregates['perHour'] {
  const hourCount = options.hours ?? 168;
  const end = lastAt ? Date.parse(`${lastAt.slice(0, 13)}:00:00Z`) : (options.now ?? new Date()).getTime();
  return Array.from({ length: hourCount }, (_unused, index) => {
    const hour = new Date(end - (hourCount - 1 - index) * 3_600_000).toISOString().slice(0, 13);
    return { hour, ...(hours.get(hour) ?? { runs: 0, failures: 0 }) };
  });
}

function automationFigures(automations: Map<string, AutomationAcc>): AutomationFigures[] {
  return [...automations.values()]
    .map(({ durations, ...rest }) => {
      const sorted = Float64Array.from(durations).sort();
      return {
        ...rest,
        costUsd: round(rest.costUsd),
        errorRate: rest.failures / rest.runs,
        p50Ms: percentile(sorted, 0.5),
        p95Ms: percentile(sorted, 0.95),
      };
    })
    .sort((a, b) => b.runs - a.runs || a.name.localeCompare(b.name));
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

function newest(runs: StoredRun[], limit: number): StoredRun[] {
  return runs.sort((a, b) => b.startedAt.localeCompare(a.startedAt) || a.runId.localeCompare(b.runId)).slice(0, limit);
}

function drillDown(run: StoredRun): DrillDownRun {
  const start = Date.parse(run.startedAt);
  const firstError = run.errors?.[0];
  return {
    runId: run.runId,
    name: run.name,
    status: run.status,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    costUsd: run.totals?.costUsd ?? 0,
    url: runUrl(run),
    interventions: interventionsOf(run),
    error: firstError
      ? `${firstError.step ? `${firstError.step}: ` : ''}${firstError.message}`.slice(0, 500)
      : undefined,
    steps: (run.steps ?? []).map((step) => ({
      name: step.name,
      status: step.status,
      offsetMs: step.startedAt ? Math.max(0, Date.parse(step.startedAt) - start) : 0,
      durationMs: step.durationMs ?? 0,
      error: step.error?.slice(0, 500),
    })),
  };
}
