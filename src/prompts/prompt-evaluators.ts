import { z } from 'zod';
import { UserError } from '../shared/errors.js';
import { compileSchemaAt } from './schema.js';
import { at, describeValue, isPlainObject, issueProblems, pathString, type DataPath, type Problem } from './source.js';
import type { Evaluator, JsonSchemaSpec } from './types.js';

/**
 * The evaluators of a GitHub Models `.prompt.yml` (plus autostack's jsonSchema kind), read apart
 * from the rest of the file: only the eval gate uses them, so one that cannot be read is a
 * located problem beside the prompt, never a reason the prompt cannot run.
 */

const STRING_CHECKS = ['equals', 'contains', 'startsWith', 'endsWith'] as const;
const EVALUATOR_KINDS = ['string', 'llm', 'uses', 'jsonSchema'] as const;

const stringChecks = z
  .looseObject({
    equals: z.string().optional(),
    contains: z.string().optional(),
    startsWith: z.string().optional(),
    endsWith: z.string().optional(),
  })
  .superRefine((value, ctx) => {
    const unknown = Object.keys(value).find((key) => !(STRING_CHECKS as readonly string[]).includes(key));
    if (unknown !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [unknown],
        message: `is not a string check; use ${STRING_CHECKS.join(', ')}`,
      });
    } else if (!STRING_CHECKS.some((key) => value[key] !== undefined)) {
      ctx.addIssue({ code: 'custom', message: `needs one of ${STRING_CHECKS.join(', ')}` });
    }
  });

const llmEvaluator = z.looseObject({
  modelId: z.string().min(1),
  prompt: z.string().min(1),
  choices: z.array(z.looseObject({ choice: z.string().min(1), score: z.number() })).min(1),
  systemPrompt: z.string().optional(),
});

const usesEvaluator = z.string().superRefine((value, ctx) => {
  if (!/^github\/[A-Za-z0-9_.-]+$/.test(value)) {
    ctx.addIssue({
      code: 'custom',
      message: `must name a GitHub evaluator such as github/similarity (got ${describeValue(value)})`,
    });
  }
});

const jsonSchemaEvaluator = z.unknown().superRefine((value, ctx) => {
  const ok =
    value === true || (isPlainObject(value) && (isPlainObject(value.schema) || typeof value.schema === 'boolean'));
  if (!ok) {
    ctx.addIssue({
      code: 'custom',
      message: `must be true (check against the prompt's jsonSchema) or a mapping with a 'schema' (got ${describeValue(value)})`,
    });
  }
});

const evaluator = z
  .looseObject({
    name: z.string().min(1),
    string: stringChecks.optional(),
    llm: llmEvaluator.optional(),
    uses: usesEvaluator.optional(),
    jsonSchema: jsonSchemaEvaluator.optional(),
  })
  .superRefine((value, ctx) => {
    const kinds = EVALUATOR_KINDS.filter((kind) => value[kind] !== undefined);
    if (kinds.length === 0) ctx.addIssue({ code: 'custom', message: `needs one of ${EVALUATOR_KINDS.join(', ')}` });
    if (kinds.length > 1)
      ctx.addIssue({
        code: 'custom',
        message: `must have only one of ${EVALUATOR_KINDS.join(', ')} (got ${kinds.join(' and ')})`,
      });
  });

type ParsedEvaluator = z.output<typeof evaluator>;

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
    const result = evaluator.safeParse(entry);
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
