import { parseStructured } from '../ai/structured.js';
import { runPrompt, type RunPromptResult } from '../ai/run-prompt.js';
import type { Log } from '../io/io.js';
import { compileSchema } from '../prompts/schema.js';
import { fillTemplate } from '../prompts/render.js';
import { promptFromText } from '../prompts/text-prompt.js';
import { type Evaluator, type PromptDefinition, type TestCase } from '../prompts/types.js';
import type { JournaledStep } from '../runs/step.js';
import { ModelError } from '../ai/errors.js';
import { errorMessage } from '../shared/errors.js';
import type { EvalRunTemplate, EvaluatorOutcome } from './evals.js';
import { addTotals, type EvalTotals } from './totals.js';

/**
 * The evaluators of the GitHub Models format, judging one reply. Semantics follow `gh models
 * eval`: `equals` is exact, `contains`/`startsWith`/`endsWith` ignore case, an `llm` judge passes
 * when the first choice its answer contains has a score above 0.
 */

/** Rate limited or overloaded after the client's own retries: the pool slows down and tries the run again. */
export function isThrottled(error: unknown): boolean {
  return error instanceof ModelError && (error.kind === 'rate_limit' || error.kind === 'overloaded');
}

/** What the report shows of one evaluator on one reply. */
function judged(evaluator: Evaluator, passed: boolean, details: string): EvaluatorOutcome {
  return { name: evaluator.name, kind: evaluator.kind, passed, skipped: false, details };
}

/** The judge's reply only needs to name a choice. */
const JUDGE_MAX_TOKENS = 1024;

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
  return judged(evaluator, failures.length === 0, failures.join('; ') || 'matched');
}

function jsonSchemaEvaluator(
  evaluator: Extract<Evaluator, { kind: 'jsonSchema' }>,
  result: RunPromptResult,
  file: string | undefined,
): EvaluatorOutcome {
  const schema = compileSchema(evaluator.schema, { file, line: evaluator.line });
  const parsed = result.hasJson ? { ok: true as const, value: result.json } : parseStructured(result.text);
  if (!parsed.ok) return judged(evaluator, false, parsed.errors.join('; '));
  const verdict = schema.validate(parsed.value);
  return verdict.valid
    ? judged(evaluator, true, 'valid')
    : judged(evaluator, false, verdict.errors.slice(0, 3).join('; '));
}

/** An llm judge: its calls are added to `context.tally`, the run it judges (they count toward its case). */
async function llmEvaluator(
  evaluator: Extract<Evaluator, { kind: 'llm' }>,
  reply: string,
  testCase: TestCase,
  context: { template: EvalRunTemplate; log: Log; step: JournaledStep; file: string | undefined; tally: EvalTotals },
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
  addTotals(context.tally, result);
  const answer = result.text.trim().toLowerCase();
  const choice = evaluator.choices.find((entry) => answer.includes(entry.choice.toLowerCase()));
  if (!choice) {
    const shown = answer.length > 80 ? `${answer.slice(0, 79)}…` : answer;
    return judged(
      evaluator,
      false,
      `judge answer '${shown}' matches no choice (${evaluator.choices.map((entry) => entry.choice).join(', ')})`,
    );
  }
  return judged(evaluator, choice.score > 0, `judge chose '${choice.choice}' (score ${choice.score})`);
}

/** One evaluator on one reply; an evaluator that throws fails with the reason rather than ending the run. */
export async function runEvaluator(
  evaluator: Evaluator,
  result: RunPromptResult,
  testCase: TestCase,
  definition: PromptDefinition,
  context: { template: EvalRunTemplate; log: Log; step: JournaledStep; tally: EvalTotals },
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
    // A judge the API pushed back on is tried again with the run, once the pool has slowed down.
    if (isThrottled(error)) throw error;
    return judged(evaluator, false, `could not run: ${errorMessage(error)}`);
  }
}
