import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { basename, delimiter, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';

/**
 * A `command` tool: one executable and the exact argument list it runs with, written by the
 * workflow author. The model never writes argv — it fills named parameters (`{slot}`s in `args`),
 * each validated against its declared type before anything runs. So whatever the model sends,
 * the executable, the flags and the order of the arguments are the author's.
 */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const PARAMETER_NAME = /^[a-z_][a-z0-9_]{0,63}$/;
const SLOT = /\{([a-z_][a-z0-9_]*)\}/g;

/**
 * Executables that run their arguments as a program or another command. The slot design is the
 * real guard (a slot cannot carry `-c` or a second command unless its pattern says so); this list
 * refuses the declarations where the author's own fixed arguments would make that possible.
 */
const RUNS_COMMANDS =
  /^(?:sh|bash|dash|zsh|ksh|mksh|fish|csh|tcsh|busybox|env|sudo|su|doas|runuser|chroot|xargs|parallel|eval|exec|command|builtin|timeout|nice|nohup|ionice|setsid|stdbuf|taskset|chrt|unbuffer|script|time|watch|strace|ltrace|gdb|flock|find|node|nodejs|deno|bun|npx|python[0-9.]*|pypy[0-9.]*|perl[0-9.]*|ruby[0-9.]*|irb|php[0-9.]*|lua[0-9.]*|luajit|tclsh|wish|pwsh|powershell|osascript|awk|gawk|mawk|nawk|make|ssh|git-shell|vim?|nvim|emacs|less|more|man)$/;

const stringSlot = z.strictObject({
  type: z.literal('string'),
  description: z.string().optional(),
  /** A regular expression the whole value must match. */
  pattern: z
    .string()
    .refine(
      (source) => {
        try {
          new RegExp(source, 'u');
          return true;
        } catch {
          return false;
        }
      },
      { message: 'must be a valid regular expression' },
    )
    .optional(),
  'max-length': z.number().int().positive().max(4000).default(1000),
  'allow-flags': z.boolean().default(false),
  optional: z.boolean().default(false),
});
const enumSlot = z.strictObject({
  type: z.literal('enum'),
  description: z.string().optional(),
  values: z.array(z.string().min(1)).min(1),
  'allow-flags': z.boolean().default(false),
  optional: z.boolean().default(false),
});
const pathSlot = z.strictObject({
  type: z.literal('path'),
  description: z.string().optional(),
  /** Refuse a path that does not exist (default true: tools read). */
  'must-exist': z.boolean().default(true),
  optional: z.boolean().default(false),
});
const slotSchema = z.discriminatedUnion('type', [stringSlot, enumSlot, pathSlot]);
type Slot = z.output<typeof slotSchema>;

export const commandToolSchema = z
  .strictObject({
    name: z.string().regex(TOOL_NAME, 'must be 1-64 letters, digits, _ or -'),
    type: z.literal('command'),
    command: z
      .string()
      .min(1)
      .refine((command) => !RUNS_COMMANDS.test(basename(command)), {
        message:
          'must not be a shell, interpreter or command runner (sh, bash, env, timeout, xargs, nice, find, python, …): it would run a program instead of one command',
      }),
    description: z.string().default(''),
    /** The argument list: fixed strings, and `{name}` slots the model fills. */
    args: z.array(z.string()).default([]),
    /** The slots: what the model may put in each. */
    parameters: z
      .record(z.string().regex(PARAMETER_NAME, 'must be lower-case letters, digits or _'), slotSchema)
      .default({}),
    /** Names of environment variables passed through from the step; nothing else is. */
    env: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')).default([]),
    'timeout-seconds': z.number().positive().max(600).default(30),
  })
  .superRefine((tool, ctx) => {
    const used = new Set<string>();
    tool.args.forEach((arg, index) => {
      for (const [, name] of arg.matchAll(SLOT)) {
        if (name === undefined) continue;
        used.add(name);
        if (!Object.hasOwn(tool.parameters, name))
          ctx.addIssue({
            code: 'custom',
            path: ['args', index],
            message: `uses {${name}}, which is not declared under parameters`,
          });
      }
    });
    for (const name of Object.keys(tool.parameters))
      if (!used.has(name))
        ctx.addIssue({
          code: 'custom',
          path: ['parameters', name],
          message: 'is declared but no {slot} in args uses it',
        });
  })
  .transform((tool) => ({ ...tool, kind: 'command' as const }));
export type CommandToolDeclaration = z.output<typeof commandToolSchema>;

/** What the model sees: one property per slot, nothing else accepted. */
export function commandToolDefinition(tool: CommandToolDeclaration): Anthropic.Tool {
  const properties: Record<string, Record<string, unknown>> = {};
  for (const [name, slot] of Object.entries(tool.parameters)) {
    const description = slot.description;
    const base = description ? { description } : {};
    if (slot.type === 'enum') properties[name] = { type: 'string', enum: slot.values, ...base };
    else if (slot.type === 'path')
      properties[name] = { type: 'string', description: description ?? 'A path relative to the workspace' };
    else
      properties[name] = {
        type: 'string',
        ...(slot.pattern !== undefined && { pattern: slot.pattern }),
        maxLength: slot['max-length'],
        ...base,
      };
  }
  const required = Object.entries(tool.parameters)
    .filter(([, slot]) => !slot.optional)
    .map(([name]) => name);
  return {
    name: tool.name,
    description: tool.description || `Run: ${[tool.command, ...tool.args].join(' ')}`,
    input_schema: { type: 'object', properties, required, additionalProperties: false },
  };
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

function slotValue(name: string, slot: Slot, value: string, workspace: string): string {
  if (CONTROL.test(value)) throw new ToolRefusal(`${name} must not contain control characters`);
  const allowFlags = slot.type !== 'path' && slot['allow-flags'];
  // A leading '-' would be read as an option: the author's flags are fixed, the model's are not.
  if (value.startsWith('-') && !allowFlags)
    throw new ToolRefusal(`${name} must not start with '-' (it would be read as an option)`);
  if (slot.type === 'enum' && !slot.values.includes(value))
    throw new ToolRefusal(`${name} must be one of ${slot.values.join(', ')}`);
  if (slot.type === 'string') {
    if (value.length > slot['max-length'])
      throw new ToolRefusal(`${name} must be at most ${slot['max-length']} characters`);
    if (slot.pattern !== undefined && !new RegExp(`^(?:${slot.pattern})$`, 'u').test(value))
      throw new ToolRefusal(`${name} must match ${slot.pattern}`);
  }
  if (slot.type === 'path') confinePath(name, value, workspace, slot['must-exist']);
  return value;
}

/** Inside the workspace once `..` and symlinks are resolved; a missing file resolves its parent. */
function confinePath(name: string, value: string, workspace: string, mustExist: boolean): void {
  if (value === '') throw new ToolRefusal(`${name} must not be empty`);
  const root = realpathSync(workspace);
  const absolute = resolve(workspace, value);
  let real: string;
  let exists = true;
  try {
    real = realpathSync(absolute);
  } catch {
    exists = false;
    real = join(realParent(dirname(absolute)), basename(absolute));
  }
  // Confinement first: whether a file outside the workspace exists is not the model's to learn.
  const rel = relative(root, real);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    throw new ToolRefusal(`${name}: ${value} is outside the workspace; give a path inside it`);
  if (!exists && mustExist) throw new ToolRefusal(`${name}: ${value} does not exist`);
}

function realParent(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(realParent(parent), basename(path));
  }
}

/** A call refused before anything ran; shown to the model as a tool error. */
export class ToolRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolRefusal';
  }
}

/** The argv for one call: fixed arguments kept, slots filled, optional empty slots dropped. */
export function commandArgv(tool: CommandToolDeclaration, input: unknown, workspace: string): string[] {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new ToolRefusal('the input must be an object of the declared parameters');
  const given = input as Record<string, unknown>;
  const unknown = Object.keys(given).filter((key) => !Object.hasOwn(tool.parameters, key));
  if (unknown.length > 0)
    throw new ToolRefusal(
      `unknown parameter ${unknown.join(', ')}; this tool takes ${Object.keys(tool.parameters).join(', ') || 'no parameters'}`,
    );
  const values = new Map<string, string>();
  for (const [name, slot] of Object.entries(tool.parameters)) {
    const value = given[name];
    if (value === undefined || value === null) {
      if (!slot.optional) throw new ToolRefusal(`${name} is required`);
      continue;
    }
    if (typeof value !== 'string') throw new ToolRefusal(`${name} must be a string`);
    values.set(name, slotValue(name, slot, value, workspace));
  }
  const argv: string[] = [];
  for (const arg of tool.args) {
    const names = [...arg.matchAll(SLOT)].map((match) => match[1] ?? '');
    if (names.some((name) => !values.has(name))) continue; // an optional slot left empty
    argv.push(arg.replace(SLOT, (_whole, name: string) => values.get(name) ?? ''));
  }
  return argv;
}

/** The executable's own name and, when it is a link, its target's: `/usr/bin/sh -> dash`. */
export function refusedExecutable(command: string, cwd: string, path: string): string | undefined {
  const found = locate(command, cwd, path);
  if (found === undefined) return undefined;
  let real: string;
  try {
    real = realpathSync(found);
  } catch {
    return undefined;
  }
  const name = basename(real);
  // busybox picks its applet from argv[0], which is the declared name, already checked.
  return name !== 'busybox' && RUNS_COMMANDS.test(name) ? name : undefined;
}

function locate(command: string, cwd: string, path: string): string | undefined {
  const candidates = command.includes('/')
    ? [resolve(cwd, command)]
    : path
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, command));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/**
 * Runs the tool with no shell, in the workspace, with an environment of PATH and the declared
 * names only — the step's tokens and keys are not there to leak.
 */
export function runCommandTool(
  tool: CommandToolDeclaration,
  input: unknown,
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ content: string; isError: boolean }> {
  let argv: string[];
  const path = options.env.PATH ?? '';
  try {
    const refused = refusedExecutable(tool.command, options.cwd, path);
    if (refused !== undefined)
      throw new ToolRefusal(`${tool.command} resolves to ${refused}, which runs other commands; not run`);
    argv = commandArgv(tool, input, options.cwd);
  } catch (error) {
    if (error instanceof ToolRefusal) return Promise.resolve({ content: `refused: ${error.message}`, isError: true });
    throw error;
  }
  const env: NodeJS.ProcessEnv = { PATH: path };
  for (const name of tool.env) if (options.env[name] !== undefined) env[name] = options.env[name];
  return new Promise((done) => {
    execFile(
      tool.command,
      argv,
      { cwd: options.cwd, shell: false, timeout: tool['timeout-seconds'] * 1000, maxBuffer: MAX_OUTPUT_BYTES, env },
      (error, stdout, stderr) => {
        const code = error ? ((error as NodeJS.ErrnoException & { code?: unknown }).code ?? 1) : 0;
        const parts = [`exit code: ${String(code)}`];
        if (stdout) parts.push(`stdout:\n${stdout}`);
        if (stderr) parts.push(`stderr:\n${stderr}`);
        if (error && (error as { killed?: boolean }).killed) parts.push(`killed after ${tool['timeout-seconds']} s`);
        done({ content: parts.join('\n'), isError: Boolean(error) });
      },
    );
  });
}
