import { UserError } from '../shared/errors.js';
import type { ParsedEvaluator } from './prompt-schemas.js';
import { promptSchemas } from './engine.js';
import { compileSchemaAt } from './schema.js';
import { at, describeValue, isPlainObject, issueProblems, pathString, type DataPath, type Problem } from './source.js';
import type { Evaluator, JsonSchemaSpec } from './types.js';

/**
 * The evaluators of a GitHub Models `.prompt.yml` (plus autostack's jsonSchema kind), read apart
 * from the rest of the file: only the eval gate uses them, so one that cannot be read is a
 * located problem beside the prompt, never a reason the prompt cannot run.
 */

/**
 * The evaluators that can be read, and a located problem for each one that cannot. Only the
 * eval gate uses evaluators, so a bad or unknown one (a kind GitHub adds later, say) never stops
 * run-prompt; the gate refuses to count on a file whose evaluators it cannot all read.
 */
export function readEvaluators(
  data: Record<string, unknown>,
  spec: JsonSchemaSpec | undefined,
  file: string,
  lineOf: (path: DataPath) => number,
): { valid: Evaluator[]; problems: Problem[] } {
  const list = data.evaluators;
  if (list === undefined) return { valid: [], problems: [] };
  if (!Array.isArray(list))
    return {
      valid: [],
      problems: [{ line: lineOf(['evaluators']), text: `evaluators must be a list (got ${describeValue(list)})` }],
    };
  const valid: Evaluator[] = [];
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  list.forEach((entry: unknown, index) => {
    const result = promptSchemas().evaluatorSchema.safeParse(entry);
    if (!result.success) {
      const issues = result.error.issues.map((issue) => ({ ...issue, path: ['evaluators', index, ...issue.path] }));
      problems.push(...issueProblems(issues, data, lineOf));
      return;
    }
    const first = seen.get(result.data.name);
    if (first !== undefined) {
      problems.push({
        line: lineOf(['evaluators', index, 'name']),
        text: `evaluators[${index}].name repeats evaluators[${first}].name '${result.data.name}'; names must be unique`,
      });
      return;
    }
    seen.set(result.data.name, index);
    try {
      valid.push(toEvaluator(result.data, index, spec, file, lineOf));
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      const prefix = at(file, error.line);
      const text = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
      problems.push({ line: error.line, text });
    }
  });
  return { valid, problems: problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
}

function toEvaluator(
  entry: ParsedEvaluator,
  index: number,
  spec: JsonSchemaSpec | undefined,
  file: string,
  lineOf: (path: DataPath) => number,
): Evaluator {
  const base = { name: entry.name, line: lineOf(['evaluators', index]) };
  if (entry.string) {
    const checks = entry.string;
    return {
      ...base,
      kind: 'string',
      ...(checks.equals !== undefined && { equals: checks.equals }),
      ...(checks.contains !== undefined && { contains: checks.contains }),
      ...(checks.startsWith !== undefined && { startsWith: checks.startsWith }),
      ...(checks.endsWith !== undefined && { endsWith: checks.endsWith }),
    };
  }
  if (entry.llm) {
    const llm = entry.llm;
    return {
      ...base,
      kind: 'llm',
      modelId: llm.modelId,
      prompt: llm.prompt,
      choices: llm.choices.map((choice) => ({ choice: choice.choice, score: choice.score })),
      systemPrompt: llm.systemPrompt,
    };
  }
  if (entry.uses !== undefined) return { ...base, kind: 'uses', uses: entry.uses };
  if (entry.jsonSchema === true) {
    if (!spec) {
      const line = lineOf(['evaluators', index, 'jsonSchema']);
      throw new UserError(
        `${at(file, line)}evaluators[${index}].jsonSchema is true but the prompt has no jsonSchema to check against; add jsonSchema or give { schema: ... } here`,
        { file, line },
      );
    }
    return { ...base, kind: 'jsonSchema', schema: spec.schema, fromPrompt: true };
  }
  const own = isPlainObject(entry.jsonSchema) ? entry.jsonSchema.schema : undefined;
  const schema = isPlainObject(own) || typeof own === 'boolean' ? own : true;
  const path = ['evaluators', index, 'jsonSchema', 'schema'];
  compileSchemaAt(schema, { file, label: pathString(path), lineOf: (pointer) => lineOf([...path, ...pointer]) });
  return { ...base, kind: 'jsonSchema', schema, fromPrompt: false };
}
