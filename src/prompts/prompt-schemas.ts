import { z } from 'zod';
import { MAX_REPEAT } from './limits.js';
import { describeValue, isPlainObject } from './source.js';

/**
 * The zod schemas of prompt files (GitHub Models `.prompt.yml`, front matter of `.md`/`.txt`
 * prompts, evaluators): the source of truth for what a prompt file may hold and for the messages
 * that name what is wrong. Classic zod costs ~30 ms to load, so this module is loaded through
 * engine.ts (withSchemaEngine) only when a file falls outside the hand-checked common shape
 * (prompt-file-fast.ts), has front matter or evaluators, or is wrong.
 */

const ROLES = ['system', 'user', 'assistant'] as const;
const STRING_CHECKS = ['equals', 'contains', 'startsWith', 'endsWith'] as const;
const EVALUATOR_KINDS = ['string', 'llm', 'uses', 'jsonSchema'] as const;

const modelParametersSchema = z.looseObject({
  maxTokens: z.int().positive().optional(),
  maxCompletionTokens: z.int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  // One stop string is common enough to accept without the list around it.
  stop: z.preprocess((value) => (typeof value === 'string' ? [value] : value), z.array(z.string().min(1))).optional(),
});

/** A quoted string; YAML reads `version: 1.10` as the number 1.1, so numbers are refused with a hint. */
const versionSchema = z.custom<string>((value) => typeof value === 'string' && value.trim() !== '', {
  error: (issue) =>
    typeof issue.input === 'number'
      ? `must be a quoted string, or YAML changes it (write version: '${String(issue.input)}')`
      : `must be a non-empty string (got ${describeValue(issue.input)})`,
});

const repeatCount = z.int().min(1).max(MAX_REPEAT);

/** `minPasses` out of `repeat` runs, when both are set at the same level. */
function checkMinPasses(value: { repeat?: number | undefined; minPasses?: number | undefined }, ctx: z.RefinementCtx) {
  if (value.repeat !== undefined && value.minPasses !== undefined && value.minPasses > value.repeat)
    ctx.addIssue({
      code: 'custom',
      path: ['minPasses'],
      message: `is ${value.minPasses}, more than repeat (${value.repeat}); a case cannot pass more runs than it has`,
    });
}

// autostack's addition to a test case: `repeat` and `minPasses` are settings, not template variables.
const testCase = z
  .looseObject({ repeat: repeatCount.optional(), minPasses: repeatCount.optional() })
  .superRefine(checkMinPasses);

const message = z.looseObject({
  // GitHub's own loader accepts any case; keep that so its files still load.
  role: z.preprocess((value) => (typeof value === 'string' ? value.toLowerCase() : value), z.enum(ROLES)),
  content: z.string(),
});

const jsonSchemaSpec = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  schema: z.record(z.string(), z.unknown()),
  strict: z.boolean().optional(),
});

// The tool layer (src/ai/tools.ts) checks the rest: allow-lists, command, args, parameters, env.
const tool = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
  type: z.enum(['github', 'command']).optional(),
});

export const promptFileSchema = z
  .looseObject({
    name: z.string().min(1).optional(),
    description: z.string().optional(),
    model: z.string().min(1).optional(),
    modelParameters: modelParametersSchema.optional(),
    messages: z.array(message).min(1),
    responseFormat: z.enum(['text', 'json_object', 'json_schema']).optional(),
    jsonSchema: jsonSchemaSpec.optional(),
    testData: z.array(testCase).optional(),
    // Read on their own (readEvaluators): only the eval gate uses them, so they never stop a run.
    evaluators: z.unknown().optional(),
    version: versionSchema.optional(),
    tools: z.array(tool).optional(),
    untrusted: z.array(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be a variable name')).optional(),
    repeat: repeatCount.optional(),
    minPasses: repeatCount.optional(),
  })
  .superRefine((value, ctx) => {
    checkMinPasses(value, ctx);
    if (!value.messages.some((entry) => entry.role === 'user')) {
      ctx.addIssue({ code: 'custom', path: ['messages'], message: 'must include at least one message with role user' });
    }
    if (value.responseFormat === 'json_schema' && value.jsonSchema === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['responseFormat'],
        message: 'is json_schema, so jsonSchema is required (a JSON string or mapping with name and schema)',
      });
    }
    duplicateNames(value.tools ?? [], 'tools', ctx);
  });

function duplicateNames(entries: ReadonlyArray<{ name: string }>, field: string, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  entries.forEach((entry, index) => {
    const first = seen.get(entry.name);
    if (first === undefined) seen.set(entry.name, index);
    else
      ctx.addIssue({
        code: 'custom',
        path: [field, index, 'name'],
        message: `repeats ${field}[${first}].name '${entry.name}'; names must be unique`,
      });
  });
}

export const frontMatterSchema = z.looseObject({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  model: z.string().min(1).optional(),
  modelParameters: modelParametersSchema.optional(),
  version: versionSchema.optional(),
  system: z.string().min(1).optional(),
});

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

export const evaluatorSchema = z
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

export type ParsedPromptFile = z.output<typeof promptFileSchema>;
export type ModelParameters = z.output<typeof modelParametersSchema>;
export type FrontMatter = z.output<typeof frontMatterSchema>;
export type ParsedEvaluator = z.output<typeof evaluatorSchema>;
