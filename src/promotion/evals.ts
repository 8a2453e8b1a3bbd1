import { runPrompt, type RunPromptSpec } from '../ai/run-prompt.js';
import type { Log } from '../io/io.js';
import { type Evaluator, type PromptDefinition, type TestCase } from '../prompts/types.js';
import type { JournaledStep } from '../runs/step.js';
import { AdaptiveLimit } from '../shared/adaptive-limit.js';
import { errorMessage, UserError } from '../shared/errors.js';
import { isThrottled, runEvaluator } from './evaluators.js';
import { casePlans, type CasePlan, type GateOptions } from './eval-plan.js';
import { addTotals, type EvalTotals, noTotals, sumTotals } from './totals.js';

/**
 * The eval gate: a prompt's `testData` run through run-prompt (so replay, the fingerprint cache
 * and cost accounting are the same as in production), each reply judged by the prompt's
 * `evaluators` in the GitHub Models format (evaluators.ts). A run passes when it ran and every
 * evaluator passed; a case passes when at least `minPasses` of its `repeat` runs pass.
 * Runs go through one bounded pool (`concurrency`), results are kept by position, so the log,
 * the report and the journal list cases in file order whatever order they finish in.
 */

export interface EvaluatorOutcome {
  name: string;
  kind: Evaluator['kind'];
  passed: boolean;
  /** GitHub's built-in `uses:` evaluators are not run here; they never count either way. */
  skipped: boolean;
  details: string;
}

/** A judged reply, as a run has it and as a case shows it; spend includes the judges' calls. */
interface JudgedOutcome extends EvalTotals {
  passed: boolean;
  /** Set when the run could not complete (a missing variable, a model error, invalid JSON after repairs). */
  error: string | undefined;
  evaluators: EvaluatorOutcome[];
  /** True when the prompt's reply came from the fingerprint cache (nothing paid). */
  cacheHit: boolean;
  reply: string;
}

/** One run of one case: one reply, judged. */
export interface RunOutcome extends JudgedOutcome {
  /** Rate limited or overloaded after the client's retries (the pool slows down and runs it again). */
  throttled: boolean;
}

/**
 * One case, its runs folded: `error` and `evaluators` are the first failing run's (else the first
 * run's: what the report shows), `reply` the first run's, spend the sum over every run, and
 * `cacheHit` true when every run's reply came from the cache.
 */
export interface CaseOutcome extends JudgedOutcome {
  /** 1-based, as in "testData[0] is case 1". */
  index: number;
  label: string;
  /** Runs of this case, and how many passed / had to pass. */
  repeat: number;
  passes: number;
  minPasses: number;
}

export interface EvalRun extends EvalTotals {
  versionLabel: string;
  contentHash: string;
  cases: CaseOutcome[];
  passed: number;
  total: number;
  passRate: number;
  /** Model runs of the prompt (cases × repeat), judges not counted. */
  runs: number;
  cacheHits: number;
}

/** Everything of a run-prompt spec except what each case sets. */
export type EvalRunTemplate = Omit<
  RunPromptSpec,
  'definition' | 'prompt' | 'promptFile' | 'channel' | 'variables' | 'schema' | 'tools'
>;

/** A run the API kept pushing back on is tried this many times in all before it counts as an error. */
const MAX_THROTTLED_TRIES = 4;

function caseLabel(testCase: TestCase): string {
  const first = Object.entries(testCase.variables).find(([name]) => name !== 'expected');
  if (!first) return '';
  const flat = first[1].replace(/\s+/g, ' ').trim();
  return `${first[0]}: ${flat.length > 40 ? `${flat.slice(0, 39)}…` : flat}`;
}

function failureText(outcome: Pick<CaseOutcome, 'error' | 'evaluators'>, separator: string): string {
  return outcome.error
    ? outcome.error
    : outcome.evaluators
        .filter((entry) => !entry.passed && !entry.skipped)
        .map((entry) => `${entry.name}${separator}${entry.details}`)
        .join('; ');
}

/** `2/5 passed (needs 3)` for a repeated case; empty for a case run once. */
export function passCount(outcome: Pick<CaseOutcome, 'repeat' | 'passes' | 'minPasses'>): string {
  return outcome.repeat > 1 ? `${outcome.passes}/${outcome.repeat} passed (needs ${outcome.minPasses})` : '';
}

/** The log line for one judged case: pass, or FAIL with the error or the failing evaluators. */
function caseLogLine(definition: PromptDefinition, outcome: CaseOutcome): string {
  const counted = passCount(outcome);
  const verdict = outcome.passed
    ? `pass${counted ? `: ${counted}` : ''}`
    : counted
      ? `FAIL: ${counted}${outcome.passes < outcome.repeat ? `; a failing run: ${failureText(outcome, ': ')}` : ''}`
      : outcome.error
        ? `FAIL (${outcome.error})`
        : `FAIL: ${failureText(outcome, ': ')}`;
  return `eval ${definition.versionLabel} case ${outcome.index}: ${verdict}`;
}

/** One run of one test case, judged; a run that cannot complete fails with the error. */
async function evaluateRun(
  definition: PromptDefinition,
  testCase: TestCase,
  template: EvalRunTemplate,
  log: Log,
  step: JournaledStep,
): Promise<RunOutcome> {
  const outcome: RunOutcome = {
    passed: false,
    error: undefined,
    evaluators: [],
    ...noTotals(),
    cacheHit: false,
    reply: '',
    throttled: false,
  };
  try {
    // The gate already reported the file's warnings once; each run must not repeat them.
    const quiet = { ...definition, warnings: [], evaluatorProblems: [] };
    const result = await runPrompt(
      { ...template, definition: quiet, variables: testCase.variables, tools: [] },
      log,
      step,
    );
    addTotals(outcome, result);
    outcome.cacheHit = result.cacheHit;
    outcome.reply = result.text;
    // One after another, in declaration order: an llm judge adds its cost to the run as it runs.
    for (const evaluator of definition.evaluators) {
      outcome.evaluators.push(
        await runEvaluator(evaluator, result, testCase, definition, { template, log, step, tally: outcome }),
      );
    }
    outcome.passed = outcome.evaluators.every((entry) => entry.skipped || entry.passed);
  } catch (error) {
    outcome.error = errorMessage(error);
    outcome.throttled = isThrottled(error);
  }
  return outcome;
}

/**
 * One run through the pool. A run the API throttled slows the pool down and goes again (its spend
 * so far still counts); after MAX_THROTTLED_TRIES it is an error result for its case, never a
 * crash of the others.
 */
async function pooledRun(
  pool: AdaptiveLimit,
  run: () => Promise<RunOutcome>,
  where: string,
  log: Log,
): Promise<RunOutcome> {
  // What the earlier attempts spent: each attempt's outcome already includes the ones before it.
  let spent = noTotals();
  for (let attempt = 1; ; attempt++) {
    const outcome = await pool.run(run, (result) => result.throttled);
    addTotals(outcome, spent);
    if (!outcome.throttled || attempt >= MAX_THROTTLED_TRIES) return outcome;
    log.info(`eval ${where}: ${outcome.error ?? 'throttled'}; running it again at concurrency ${pool.current}`);
    spent = outcome;
  }
}

/** A case's runs folded into its verdict: passes ≥ minPasses. */
function foldCase(testCase: TestCase, plan: CasePlan, runs: RunOutcome[]): CaseOutcome {
  const passes = runs.filter((run) => run.passed).length;
  const shown = runs.find((run) => !run.passed) ?? runs[0];
  return {
    index: plan.index,
    label: caseLabel(testCase),
    passed: passes >= plan.minPasses,
    repeat: plan.repeat,
    passes,
    minPasses: plan.minPasses,
    error: shown?.error,
    evaluators: shown?.evaluators ?? [],
    ...sumTotals(runs),
    cacheHit: runs.length > 0 && runs.every((run) => run.cacheHit),
    reply: runs[0]?.reply ?? '',
  };
}

function summarize(definition: PromptDefinition, cases: CaseOutcome[]): EvalRun {
  const passed = cases.filter((entry) => entry.passed).length;
  const sum = (pick: (entry: CaseOutcome) => number) => cases.reduce((total, entry) => total + pick(entry), 0);
  return {
    versionLabel: definition.versionLabel,
    contentHash: definition.contentHash,
    cases,
    passed,
    total: cases.length,
    passRate: cases.length === 0 ? 0 : passed / cases.length,
    runs: sum((entry) => entry.repeat),
    ...sumTotals(cases),
    cacheHits: cases.filter((entry) => entry.cacheHit).length,
  };
}

/** The verdicts in file order, in the journal: what the run record keeps of the gate. */
function journalVerdicts(run: EvalRun, step: JournaledStep): void {
  step.append({
    type: 'log',
    level: 'info',
    message: `eval ${run.versionLabel}: ${run.passed}/${run.total} cases passed (${run.runs} runs)`,
    data: {
      eval: {
        version: run.versionLabel,
        contentHash: run.contentHash,
        passed: run.passed,
        total: run.total,
        runs: run.runs,
        costUsd: run.costUsd,
        inputTokens: run.inputTokens,
        outputTokens: run.outputTokens,
        cases: run.cases.map((entry) => ({
          case: entry.index,
          passed: entry.passed,
          passes: entry.passes,
          repeat: entry.repeat,
          minPasses: entry.minPasses,
        })),
      },
    },
  });
}

/**
 * Runs every test case of `definition` `repeat` times and judges each run, at most
 * `concurrency` runs at once (fewer while the API pushes back). A case run once uses the
 * response cache as run-prompt does; the runs of a repeated case always call the model, since
 * N cached copies of one reply would say nothing about how often it passes.
 */
export async function evaluatePrompt(
  definition: PromptDefinition,
  template: EvalRunTemplate,
  options: GateOptions,
  log: Log,
  step: JournaledStep,
): Promise<EvalRun> {
  // Every setting is checked before the first paid call.
  const plans = casePlans(definition, options);
  const pool = new AdaptiveLimit(options.concurrency, (from, to) =>
    log.info(`eval: concurrency ${from} → ${to}${to < from ? ' (the API is pushing back)' : ''}`),
  );
  // Started in file order; each case's promise resolves when all its runs have.
  const pending = definition.testData.map(async (testCase, position) => {
    const plan = plans[position] as CasePlan;
    const runTemplate = plan.repeat > 1 ? { ...template, cache: false } : template;
    const runs = await Promise.all(
      Array.from({ length: plan.repeat }, (_, run) =>
        pooledRun(
          pool,
          () => evaluateRun(definition, testCase, runTemplate, log, step),
          `case ${plan.index}${plan.repeat > 1 ? ` run ${run + 1}` : ''}`,
          log,
        ),
      ),
    );
    return foldCase(testCase, plan, runs);
  });
  const cases: CaseOutcome[] = [];
  // Awaited in order, so the log lists case 1 before case 2 even when case 2 finished first.
  for (const next of pending) {
    const outcome = await next;
    log.info(caseLogLine(definition, outcome));
    cases.push(outcome);
  }
  const run = summarize(definition, cases);
  journalVerdicts(run, step);
  return run;
}

/** `evaluator 'similarity' (github/similarity)` for each GitHub-hosted evaluator, which never counts. */
export function skippedEvaluators(definition: PromptDefinition): string[] {
  return definition.evaluators
    .filter((entry) => entry.kind === 'uses')
    .map((entry) => `'${entry.name}' (${entry.uses})`);
}

/**
 * Why the gate cannot judge `definition` at all, or undefined: evaluators it cannot read (a
 * UserError naming file and line), or only GitHub-hosted ones, which would pass every case
 * having checked nothing (the refusal reason).
 */
export function uncountableGate(definition: PromptDefinition, key: string): string | undefined {
  const problems = definition.evaluatorProblems ?? [];
  if (problems.length > 0) {
    const first = problems[0] ?? '';
    const more = problems.slice(1).map((problem) => `\n  ${problem}`);
    const match = /^(.*?):(\d+): /.exec(first);
    throw new UserError(`${first}; the eval gate needs every evaluator readable${more.join('')}`, {
      file: match?.[1] ?? definition.file,
      line: match?.[2] === undefined ? undefined : Number(match[2]),
    });
  }
  const skipped = skippedEvaluators(definition);
  if (skipped.length === 0 || skipped.length < definition.evaluators.length) return undefined;
  return `Promotion refused: every evaluator of ${key} is GitHub-hosted (${skipped.join(', ')}) and runs only on GitHub Models, so the gate would check nothing. Add a string, llm or jsonSchema evaluator, or set eval: false. Nothing was written.`;
}
