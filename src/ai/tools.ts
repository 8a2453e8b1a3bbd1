import { execFile } from 'node:child_process';
import { basename } from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import type { GitHubClient } from '../github/client.js';
import { GITHUB_TOOLS } from '../github/tools.js';
import { UserError } from '../shared/errors.js';
import { redact } from '../shared/redact.js';
import type { ToolExecutor } from './tool-loop.js';

/**
 * Tools the model may call, declared in the prompt file (`tools:`) or the action's `tools` input:
 * - a built-in GitHub tool by name (`github_get_issue`, …, see GITHUB_TOOLS);
 * - a command tool: one allow-listed executable, run with the model's arguments as arguments —
 *   never through a shell, so the model cannot compose commands.
 */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

// An interpreter would turn "arguments" back into a program the model writes.
const FORBIDDEN_COMMANDS = new Set([
  'sh',
  'bash',
  'dash',
  'zsh',
  'ksh',
  'fish',
  'csh',
  'tcsh',
  'env',
  'sudo',
  'su',
  'xargs',
  'eval',
  'exec',
  'node',
  'python',
  'python3',
  'perl',
  'ruby',
  'php',
  'pwsh',
  'powershell',
]);

const commandToolSchema = z.object({
  name: z.string().regex(TOOL_NAME, 'must be 1-64 letters, digits, _ or -'),
  type: z.literal('command'),
  command: z
    .string()
    .min(1)
    .refine((command) => !FORBIDDEN_COMMANDS.has(basename(command)), {
      message: `must not be a shell or interpreter (${[...FORBIDDEN_COMMANDS].slice(0, 6).join(', ')}, …): the model's arguments would become a program`,
    }),
  description: z.string().default(''),
  /** Fixed leading arguments; the model's come after them. */
  args: z.array(z.string()).default([]),
  'timeout-seconds': z.number().positive().max(600).default(30),
});

const builtinNames = [...GITHUB_TOOLS.keys()] as [string, ...string[]];
const builtinSchema = z.union([
  z.enum(builtinNames),
  z.object({ name: z.enum(builtinNames), type: z.literal('github').optional() }).transform((value) => value.name),
]);

export const toolDeclarationSchema = z.union([builtinSchema, commandToolSchema]);
export type ToolDeclaration = z.output<typeof toolDeclarationSchema>;
export type CommandToolDeclaration = z.output<typeof commandToolSchema>;

/** Validates declarations; `where` names the prompt file or input for the error. */
export function parseToolDeclarations(raw: unknown[], where: string): ToolDeclaration[] {
  return raw.map((entry, index) => {
    const result = toolDeclarationSchema.safeParse(entry);
    if (result.success) return result.data;
    const name = typeof entry === 'string' ? entry : (entry as { name?: unknown } | null)?.name;
    const commandIssue = commandToolSchema.safeParse(entry).error?.issues[0];
    const detail =
      typeof entry === 'object' && entry !== null && (entry as { type?: unknown }).type === 'command' && commandIssue
        ? `${commandIssue.path.join('.')} ${commandIssue.message}`
        : `must be a built-in tool (${builtinNames.join(', ')}) or {name, type: command, command, args?, description?, timeout-seconds?}`;
    throw new UserError(`${where}: tools[${index}]${typeof name === 'string' ? ` (${name})` : ''} ${detail}`);
  });
}

const MAX_TOOL_OUTPUT = 20_000;

function truncate(text: string): string {
  return text.length > MAX_TOOL_OUTPUT
    ? `${text.slice(0, MAX_TOOL_OUTPUT)}\n… (cut at ${MAX_TOOL_OUTPUT} characters)`
    : text;
}

const commandInputSchema = z.object({ args: z.array(z.string().max(4_000)).max(64).default([]) });

function runCommand(
  tool: CommandToolDeclaration,
  input: unknown,
  cwd: string,
): Promise<{ content: string; isError: boolean }> {
  const { args } = commandInputSchema.parse(input ?? {});
  return new Promise((resolve) => {
    execFile(
      tool.command,
      [...tool.args, ...args],
      // The tool sees only PATH and HOME: no tokens or keys from the step's environment.
      {
        cwd,
        shell: false,
        timeout: tool['timeout-seconds'] * 1000,
        maxBuffer: 4 * 1024 * 1024,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
      },
      (error, stdout, stderr) => {
        const code = error ? ((error as NodeJS.ErrnoException & { code?: unknown }).code ?? 1) : 0;
        const parts = [`exit code: ${String(code)}`];
        if (stdout) parts.push(`stdout:\n${stdout}`);
        if (stderr) parts.push(`stderr:\n${stderr}`);
        if (error && (error as { killed?: boolean }).killed) parts.push(`killed after ${tool['timeout-seconds']} s`);
        resolve({ content: truncate(redact(parts.join('\n'))), isError: Boolean(error) });
      },
    );
  });
}

export interface ToolContext {
  /** Needed only when a GitHub tool is declared. */
  github?: { client: GitHubClient; owner: string; repo: string } | undefined;
  cwd: string;
}

export function buildToolExecutor(declarations: ToolDeclaration[], context: ToolContext): ToolExecutor {
  const definitions: Anthropic.Tool[] = [];
  const runners = new Map<string, (input: unknown) => Promise<{ content: string; isError?: boolean }>>();
  for (const declaration of declarations) {
    if (typeof declaration === 'string') {
      const builtin = GITHUB_TOOLS.get(declaration);
      if (!builtin) throw new UserError(`Unknown tool ${declaration}`);
      const github = context.github;
      if (!github)
        throw new UserError(
          `Tool ${declaration} needs a GitHub token and repository: set the 'github-token' input (and GITHUB_REPOSITORY).`,
        );
      definitions.push(builtin.definition);
      runners.set(declaration, async (input) => ({
        content: truncate(
          JSON.stringify(await builtin.run(github.client, { owner: github.owner, repo: github.repo }, input)),
        ),
      }));
    } else {
      definitions.push({
        name: declaration.name,
        description:
          declaration.description ||
          `Run ${declaration.command} ${declaration.args.join(' ')} with the given arguments.`.trim(),
        input_schema: {
          type: 'object',
          properties: {
            args: {
              type: 'array',
              items: { type: 'string' },
              description: `Arguments passed to ${declaration.command}`,
            },
          },
          required: ['args'],
        },
      });
      runners.set(declaration.name, (input) => runCommand(declaration, input, context.cwd));
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
