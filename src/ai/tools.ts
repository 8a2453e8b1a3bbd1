import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import type { GitHubClient } from '../github/client.js';
import { GITHUB_TOOLS, GitHubToolRefusal, type GitHubToolPolicy } from '../github/tools.js';
import { UserError } from '../shared/errors.js';
import { redact } from '../shared/redact.js';
import {
  commandToolDefinition,
  commandToolSchema,
  runCommandTool,
  type CommandToolDeclaration,
} from './command-tool.js';
import type { ToolExecutor } from './tool-loop.js';

/**
 * Tools the model may call, declared in the prompt file (`tools:`) or the action's `tools` input:
 * - a built-in GitHub tool by name (`github_get_issue`, …, see GITHUB_TOOLS); the acting ones
 *   take an allow-list (`allowed-labels`, `allowed-issues`) checked before anything is sent;
 * - a command tool (command-tool.ts): one executable with the argument list its author wrote and
 *   named parameters the model fills, never through a shell.
 */
const builtinNames = [...GITHUB_TOOLS.keys()] as [string, ...string[]];
const issueNumbers = z.array(z.coerce.number().int().positive()).min(1);

const githubToolSchema = z
  .strictObject({
    name: z.enum(builtinNames),
    type: z.literal('github').optional(),
    description: z.string().optional(),
    'allowed-labels': z.array(z.string().min(1).max(50)).min(1).optional(),
    'allowed-issues': issueNumbers.optional(),
  })
  .superRefine((value, ctx) => {
    const tool = GITHUB_TOOLS.get(value.name);
    for (const key of ['allowed-labels', 'allowed-issues'] as const)
      if (value[key] !== undefined && !tool?.policy.includes(key))
        ctx.addIssue({ code: 'custom', path: [key], message: `does not apply to ${value.name}` });
    // Labelling without a list would let the model pick any label, so the list is required.
    if (tool?.policy.includes('allowed-labels') && value['allowed-labels'] === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['allowed-labels'],
        message: `is required: list the labels the model may add ({name: ${value.name}, allowed-labels: [bug, docs]})`,
      });
  })
  .transform((value): GitHubToolDeclaration => ({
    kind: 'github',
    name: value.name,
    policy: { allowedLabels: value['allowed-labels'], allowedIssues: value['allowed-issues'] },
  }));
// A bare name is the declaration with no options, checked by the same schema.
const builtinSchema = z.preprocess((entry) => (typeof entry === 'string' ? { name: entry } : entry), githubToolSchema);

export interface GitHubToolDeclaration {
  kind: 'github';
  name: string;
  policy: GitHubToolPolicy;
}
export type ToolDeclaration = GitHubToolDeclaration | CommandToolDeclaration;
export type { CommandToolDeclaration };

function entryKind(entry: unknown): 'command' | 'github' | undefined {
  if (typeof entry === 'string') return GITHUB_TOOLS.has(entry) ? 'github' : undefined;
  if (typeof entry !== 'object' || entry === null) return undefined;
  const { type, name } = entry as { type?: unknown; name?: unknown };
  if (type === 'command') return 'command';
  if (type === 'github' || (typeof name === 'string' && GITHUB_TOOLS.has(name))) return 'github';
  return undefined;
}

/** Validates declarations; `where` names the prompt file or input for the error. */
export function parseToolDeclarations(raw: unknown[], where: string): ToolDeclaration[] {
  return raw.map((entry, index): ToolDeclaration => {
    const name = typeof entry === 'string' ? entry : (entry as { name?: unknown } | null)?.name;
    const label = `${where}: tools[${index}]${typeof name === 'string' ? ` (${name})` : ''}`;
    const kind = entryKind(entry);
    const schema = kind === 'command' ? commandToolSchema : kind === 'github' ? builtinSchema : undefined;
    const result = schema?.safeParse(entry);
    if (result?.success) return result.data;
    const issue = result?.error.issues[0];
    const detail = issue
      ? `${issue.path.join('.')} ${issue.message}`.trim()
      : `must be a built-in tool (${builtinNames.join(', ')}) or {name, type: command, command, args?, parameters?, env?, description?, timeout-seconds?}`;
    throw new UserError(`${label} ${detail}`);
  });
}

const MAX_TOOL_OUTPUT = 20_000;

function truncate(text: string): string {
  return text.length > MAX_TOOL_OUTPUT
    ? `${text.slice(0, MAX_TOOL_OUTPUT)}\n… (cut at ${MAX_TOOL_OUTPUT} characters)`
    : text;
}

export interface ToolContext {
  /** Needed only when a GitHub tool is declared. */
  github?: { client: GitHubClient; owner: string; repo: string } | undefined;
  cwd: string;
  /** The step's environment; a command tool gets PATH and the names it declares, nothing else. */
  env?: NodeJS.ProcessEnv;
}

export function buildToolExecutor(declarations: ToolDeclaration[], context: ToolContext): ToolExecutor {
  const definitions: Anthropic.Tool[] = [];
  const runners = new Map<string, Runner>();
  for (const declaration of declarations) {
    if (declaration.kind === 'github') {
      const { definition, run } = githubTool(declaration, context);
      definitions.push(definition);
      runners.set(declaration.name, run);
    } else {
      definitions.push(commandToolDefinition(declaration));
      const options = { cwd: context.cwd, env: context.env ?? process.env };
      runners.set(declaration.name, async (input) => {
        const result = await runCommandTool(declaration, input, options);
        return { content: truncate(redact(result.content)), isError: result.isError };
      });
    }
  }
  const names = definitions.map((definition) => definition.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new UserError(`Tool ${duplicate} is declared twice.`);
  return {
    definitions,
    async execute(name, input) {
      const runner = runners.get(name);
      if (!runner) return { content: `There is no tool named ${name}. Available: ${names.join(', ')}`, isError: true };
      return runner(input);
    },
  };
}

type Runner = (input: unknown) => Promise<{ content: string; isError?: boolean }>;

function githubTool(
  declaration: GitHubToolDeclaration,
  context: ToolContext,
): { definition: Anthropic.Tool; run: Runner } {
  const builtin = GITHUB_TOOLS.get(declaration.name);
  if (!builtin) throw new UserError(`Unknown tool ${declaration.name}`);
  const github = context.github;
  if (!github)
    throw new UserError(
      `Tool ${declaration.name} needs a GitHub token and repository: set the 'github-token' input (and GITHUB_REPOSITORY).`,
    );
  return {
    definition: describePolicy(builtin.definition, declaration.policy),
    run: async (input) => {
      try {
        const repo = { owner: github.owner, repo: github.repo };
        return { content: truncate(JSON.stringify(await builtin.run(github.client, repo, input, declaration.policy))) };
      } catch (error) {
        if (error instanceof GitHubToolRefusal) return { content: `refused: ${error.message}`, isError: true };
        throw error;
      }
    },
  };
}

/** The model is told the allow-list up front, so it rarely has to be refused. */
function describePolicy(definition: Anthropic.Tool, policy: GitHubToolPolicy): Anthropic.Tool {
  const notes = [
    policy.allowedLabels && `Only these labels may be added: ${policy.allowedLabels.join(', ')}.`,
    policy.allowedIssues &&
      `Only these issues or pull requests: ${policy.allowedIssues.map((n) => `#${n}`).join(', ')}.`,
  ].filter(Boolean);
  if (notes.length === 0) return definition;
  const properties = { ...(definition.input_schema.properties as Record<string, Record<string, unknown>>) };
  if (policy.allowedLabels && properties.labels)
    properties.labels = { ...properties.labels, items: { type: 'string', enum: [...policy.allowedLabels] } };
  if (policy.allowedIssues && properties.number)
    properties.number = { ...properties.number, enum: [...policy.allowedIssues] };
  return {
    ...definition,
    description: `${definition.description ?? ''} ${notes.join(' ')}`.trim(),
    input_schema: { ...definition.input_schema, properties },
  };
}
