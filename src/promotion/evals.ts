import { parseStructured } from '../ai/structured.js';
import { runPrompt, type RunPromptResult, type RunPromptSpec } from '../ai/run-prompt.js';
import type { Log } from '../io/io.js';
import { compileSchema } from '../prompts/schema.js';
import { fillTemplate } from '../prompts/render.js';
import { promptFromText } from '../prompts/text-prompt.js';
import { type Evaluator, type PromptDefinition, type TestCase } from '../prompts/types.js';
import type { JournaledStep } from '../runs/step.js';
import { errorMessage, UserError } from '../shared/errors.js';

/**
 * The eval gate: a prompt's `testData` run through run-prompt (so replay, the fingerprint cache
 * and cost accounting are the same as in production), each reply judged by the prompt's
 * `evaluators` in the GitHub Models format. Semantics follow `gh models eval`: `equals` is exact,
 * `contains`/`startsWith`/`endsWith` ignore case, an `llm` judge passes when the first choice its
 * answer contains has a score above 0. A case passes when it ran and every evaluator passed.
 */

export interface EvaluatorOutcome {
  name: string;
  kind: Evaluator['kind'];
  passed: boolean;
  /** GitHub's built-in `uses:` evaluators are not run here; they never count either way. */
  skipped: boolean;
  details: string;
}

export interface CaseOutcome {
  /** 1-based, as in "testData[0] is case 1". */
  index: number;
  label: string;
  passed: boolean;
  /** Set when the case could not run (a missing variable, a model error, invalid JSON after repairs). */
  error: string | undefined;
  evaluators: EvaluatorOutcome[];
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  /** True when the prompt's reply came from the fingerprint cache (nothing paid). */
  cacheHit: boolean;
  reply: string;
}

export interface EvalRun {
  versionLabel: string;
  contentHash: string;
  cases: CaseOutcome[];
  passed: number;
  total: number;
  passRate: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  cacheHits: number;
}

/** Everything of a run-prompt spec except what each case sets. */
export type EvalRunTemplate = Omit<
  RunPromptSpec,
  'definition' | 'prompt' | 'promptFile' | 'channel' | 'variables' | 'schema' | 'tools'
>;

/** The judge's reply only needs to name a choice. */
const JUDGE_MAX_TOKENS = 1024;

function caseLabel(testCase: TestCase): string {
  const first = Object.entries(testCase.variables).find(([name]) => name !== 'expected');
  if (!first) return '';
  const flat = first[1].replace(/\s+/g, ' ').trim();
  return `${first[0]}: ${flat.length > 40 ? `${flat.slice(0, 39)}…` : flat}`;
}

function stringEvaluator(
  evaluator: Extract<Evaluator, { kind: 'string' }>,
  reply: string,
  variables: Record<string, string>,
  file: string | undefined,
): EvaluatorOutcome {
  const text = reply.trim();
  const lower = text.toLowerCase();
  const failures: string[] = [];
  const fill = (value: string, check: string) =>
    fillTemplate(value, variables, { file, line: evaluator.line, label: `evaluator '${evaluator.name}' ${check}` });
  if (evaluator.equals !== undefined && text !== fill(evaluator.equals, 'equals'))
    failures.push(`expected exactly '${fill(evaluator.equals, 'equals')}'`);
  if (evaluator.contains !== undefined && !lower.includes(fill(evaluator.contains, 'contains').toLowerCase()))
    failures.push(`expected to contain '${fill(evaluator.contains, 'contains')}'`);
  if (evaluator.startsWith !== undefined && !lower.startsWith(fill(evaluator.startsWith, 'startsWith').toLowerCase()))
    failures.push(`expected to start with '${fill(evaluator.startsWith, 'startsWith')}'`);
  if (evaluator.endsWith !== undefined && !lower.endsWith(fill(evaluator.endsWith, 'endsWith').toLowerCase()))
    failures.push(`expected to end with '${fill(evaluator.endsWith, 'endsWith')}'`);
  return {
    name: evaluator.name,
    kind: 'string',
    passed: failures.length === 0,
    skipped: false,
    details: failures.join('; ') || 'matched',
  };
}

function jsonSchemaEvaluator(
  evaluator: Extract<Evaluator, { kind: 'jsonSchema' }>,
  result: RunPromptResult,
  file: string | undefined,
): EvaluatorOutcome {
  const schema = compileSchema(evaluator.schema, { file, line: evaluator.line });
  const parsed = result.hasJson ? { ok: true as const, value: result.json } : parseStructured(result.text);
  if (!parsed.ok)
    return {
      name: evaluator.name,
      kind: 'jsonSchema',
      passed: false,
      skipped: false,
      details: parsed.errors.join('; '),
    };
  const verdict = schema.validate(parsed.value);
  return verdict.valid
    ? { name: evaluator.name, kind: 'jsonSchema', passed: true, skipped: false, details: 'valid' }
    : {
        name: evaluator.name,
        kind: 'jsonSchema',
        passed: false,
        skipped: false,
        details: verdict.errors.slice(0, 3).join('; '),
      };
}

/** What a case has spent so far; the judge's calls count toward their case. */
type Tally = Pick<CaseOutcome, 'costUsd' | 'inputTokens' | 'outputTokens'>;

async function llmEvaluator(
  evaluator: Extract<Evaluator, { kind: 'llm' }>,
  reply: string,
  testCase: TestCase,
  context: { template: EvalRunTemplate; log: Log; step: JournaledStep; file: string | undefined; tally: Tally },
): Promise<EvaluatorOutcome> {
  const judge = promptFromText(evaluator.prompt, {
    system: evaluator.systemPrompt,
    name: `evaluator ${evaluator.name}`,
  });
  const result = await runPrompt(
    {
      ...context.template,
      definition: { ...judge, file: context.file },
      variables: { ...testCase.variables, completion: reply },
      model: evaluator.modelId,
      maxTokens: JUDGE_MAX_TOKENS,
      temperature: undefined,
      topP: undefined,
      tools: [],
    },
    context.log,
    context.step,
  );
  context.tally.costUsd += result.costUsd;
  context.tally.inputTokens += result.inputTokens;
  context.tally.outputTokens += result.outputTokens;
  const answer = result.text.trim().toLowerCase();
  const choice = evaluator.choices.find((entry) => answer.includes(entry.choice.toLowerCase()));
  if (!choice) {
    const shown = answer.length > 80 ? `${answer.slice(0, 79)}…` : answer;
    return {
      name: evaluator.name,
      kind: 'llm',
      passed: false,
      skipped: false,
      details: `judge answer '${shown}' matches no choice (${evaluator.choices.map((entry) => entry.choice).join(', ')})`,
    };
  }
  return {
    name: evaluator.name,
    kind: 'llm',
    passed: choice.score > 0,
    skipped: false,
    details: `judge chose '${choice.choice}' (score ${choice.score})`,
  };
}

/** One evaluator on one reply; an evaluator that throws fails with the reason rather than ending the run. */
async function runEvaluator(
  evaluator: Evaluator,
  result: RunPromptResult,
  testCase: TestCase,
  definition: PromptDefinition,
  context: { template: EvalRunTemplate; log: Log; step: JournaledStep; tally: CaseOutcome },
): Promise<EvaluatorOutcome> {
  try {
    if (evaluator.kind === 'string')
      return stringEvaluator(evaluator, result.text, testCase.variables, definition.file);
    if (evaluator.kind === 'jsonSchema') return jsonSchemaEvaluator(evaluator, result, definition.file);
    if (evaluator.kind === 'llm')
      return await llmEvaluator(evaluator, result.text, testCase, {
        template: context.template,
        log: context.log,
        step: context.step,
        file: definition.file,
        tally: context.tally,
      });
    return {
      name: evaluator.name,
      kind: 'uses',
      passed: false,
      skipped: true,
      details: `${evaluator.uses} is a GitHub-hosted evaluator autostack does not run; skipped`,
    };
  } catch (error) {
    return {
      name: evaluator.name,
      kind: evaluator.kind,
      passed: false,
      skipped: false,
      details: `could not run: ${errorMessage(error)}`,
    };
  }
}

/** The log line for one judged case: pass, or FAIL with the error or the failing evaluators. */
function caseLogLine(definition: PromptDefinition, outcome: CaseOutcome): string {
  return `eval ${definition.versionLabel} case ${outcome.index}: ${
    outcome.passed
      ? 'pass'
      : `FAIL${
          outcome.error
            ? ` (${outcome.error})`
            : `: ${outcome.evaluators
                .filter((entry) => !entry.passed && !entry.skipped)
                .map((entry) => `${entry.name}: ${entry.details}`)
                .join('; ')}`
        }`
  }`;
}

/** Runs one test case and judges its reply; a case that cannot run fails with the error. */
async function evaluateCase(
  definition: PromptDefinition,
  testCase: TestCase,
  position: number,
  template: EvalRunTemplate,
  log: Log,
  step: JournaledStep,
): Promise<CaseOutcome> {
  const outcome: CaseOutcome = {
    index: position + 1,
    label: caseLabel(testCase),
    passed: false,
    error: undefined,
    evaluators: [],
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheHit: false,
    reply: '',
  };
  try {
    // The gate already reported the file's warnings once; each case must not repeat them.
    const quiet = { ...definition, warnings: [], evaluatorProblems: [] };
    const result = await runPrompt(
      { ...template, definition: quiet, variables: testCase.variables, tools: [] },
      log,
      step,
    );
    outcome.costUsd += result.costUsd;
    outcome.inputTokens += result.inputTokens;
    outcome.outputTokens += result.outputTokens;
    outcome.cacheHit = result.cacheHit;
    outcome.reply = result.text;
    // One after another, in declaration order: an llm judge adds its cost to the case as it runs.
    for (const evaluator of definition.evaluators) {
      outcome.evaluators.push(
        await runEvaluator(evaluator, result, testCase, definition, { template, log, step, tally: outcome }),
      );
    }
    outcome.passed = outcome.evaluators.every((entry) => entry.skipped || entry.passed);
  } catch (error) {
    outcome.error = errorMessage(error);
  }
  outcome.costUsd = Math.round(outcome.costUsd * 1e6) / 1e6;
  log.info(caseLogLine(definition, outcome));
  return outcome;
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

/**
 * Runs every test case of `definition` and judges it. Cases run one after another, so scripted
 * fakes and rate limits see a predictable order; an unchanged case is a cache hit (no API call).
 */
export async function evaluatePrompt(
  definition: PromptDefinition,
  template: EvalRunTemplate,
  log: Log,
  step: JournaledStep,
): Promise<EvalRun> {
  const cases: CaseOutcome[] = [];
  for (const [position, testCase] of definition.testData.entries()) {
    cases.push(await evaluateCase(definition, testCase, position, template, log, step));
  }
  const passed = cases.filter((entry) => entry.passed).length;
  const sum = (pick: (entry: CaseOutcome) => number) => cases.reduce((total, entry) => total + pick(entry), 0);
  return {
    versionLabel: definition.versionLabel,
    contentHash: definition.contentHash,
    cases,
    passed,
    total: cases.length,
    passRate: cases.length === 0 ? 0 : passed / cases.length,
    costUsd: Math.round(sum((entry) => entry.costUsd) * 1e6) / 1e6,
    inputTokens: sum((entry) => entry.inputTokens),
    outputTokens: sum((entry) => entry.outputTokens),
    cacheHits: cases.filter((entry) => entry.cacheHit).length,
  };
}
