import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UserError } from '../shared/errors.js';
import { registerSecret } from '../shared/redact.js';
import { type Json } from '../workflow/expressions.js';
import { WorkflowRunner } from '../workflow/runner.js';
import { autostackStepHooks } from './workflow-hooks.js';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `k=v` pairs; a bare `K` (secrets, env) takes the value of the variable K in this shell. */
function pairs(flag: string, values: string[], fromEnv: boolean): Record<string, string> {
  const result: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    if (equals < 0) {
      if (!fromEnv) throw new UserError(`Flag '--${flag} ${value}' must be NAME=VALUE.`);
      const fromShell = process.env[value];
      if (fromShell === undefined)
        throw new UserError(`Flag '--${flag} ${value}': ${value} is not set in this shell; pass ${value}=VALUE.`);
      result[value] = fromShell;
    } else if (equals === 0) {
      throw new UserError(`Flag '--${flag} ${value}' must be NAME=VALUE with a non-empty NAME.`);
    } else {
      result[value.slice(0, equals)] = value.slice(equals + 1);
    }
  }
  return result;
}

function readPayload(path: string | undefined): Json | undefined {
  if (!path) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`Flag '--payload': cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  try {
    return JSON.parse(text) as Json;
  } catch (error) {
    throw new UserError(`Flag '--payload': ${path} is not valid JSON (${(error as Error).message}).`);
  }
}

export interface WorkflowRunFlags {
  event?: string;
  payload?: string;
  input: string[];
  secret: string[];
  var: string[];
  env: string[];
  job?: string;
  workspace?: string;
  repository?: string;
  quiet?: boolean;
  verbose?: boolean;
  follow: boolean;
  maxRuns: string;
  jobs?: string;
  recordPrompts?: boolean;
  resultFile?: string;
  keepTemp?: boolean;
  node?: string;
}

/** Runs a workflow file locally; resolves to the process exit code. */
export async function runWorkflowCommand(
  file: string,
  flags: WorkflowRunFlags,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  if (!flags.event)
    throw new UserError(
      "Flag '--event NAME' is required: the event that triggers the workflow (issues, push, workflow_dispatch, repository_dispatch, …).",
    );
  const secrets = pairs('secret', flags.secret, true);
  for (const value of Object.values(secrets)) registerSecret(value);
  const maxRuns = Number(flags.maxRuns);
  if (!Number.isInteger(maxRuns) || maxRuns < 1)
    throw new UserError("Flag '--max-runs' must be a whole number of at least 1.");
  const jobs = flags.jobs === undefined ? undefined : Number(flags.jobs);
  if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1))
    throw new UserError(`Flag '--jobs ${flags.jobs}' must be a whole number of at least 1.`);
  const runner = new WorkflowRunner({
    ...(flags.workspace ? { workspace: flags.workspace } : {}),
    ...(flags.repository ? { repository: flags.repository } : {}),
    secrets,
    vars: pairs('var', flags.var, false),
    env: pairs('env', flags.env, true),
    out,
    quiet: flags.quiet ?? false,
    verbose: flags.verbose ?? false,
    followDispatches: flags.follow,
    maxRuns,
    hooks: autostackStepHooks({ recordPrompts: flags.recordPrompts ?? false }),
    ...(jobs !== undefined ? { jobs } : {}),
    keepTemp: flags.keepTemp ?? false,
    ...(flags.node ? { nodePath: flags.node } : {}),
  });
  const onSignal = () => {
    out.write(
      '\nCancelling: the running step gets SIGINT; always() steps and post steps still run. Ctrl-C again to stop at once.\n',
    );
    process.off('SIGINT', onSignal);
    runner.cancel();
  };
  process.on('SIGINT', onSignal);
  try {
    const payload = readPayload(flags.payload);
    const result = await runner.run({
      file,
      event: flags.event,
      ...(payload !== undefined ? { payload } : {}),
      inputs: pairs('input', flags.input, false),
      ...(flags.job ? { job: flags.job } : {}),
    });
    if (flags.resultFile) writeFileSync(flags.resultFile, `${JSON.stringify(result, null, 2)}\n`);
    return result.conclusion === 'success' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
  }
}

export function registerWorkflowCommands(program: Command): void {
  const workflow = program.command('workflow').description('run GitHub Actions workflow YAML on this machine');
  workflow
    .command('run')
    .description(
      'run a workflow file locally: autostack workflow run .github/workflows/triage.yml --event issues --payload event.json',
    )
    .argument('<file>', 'workflow file')
    .option(
      '--event <name>',
      'the triggering event (issues, push, workflow_dispatch, repository_dispatch, schedule, …)',
    )
    .option('--payload <file.json>', 'the event payload (github.event)')
    .option('--input <name=value>', 'a workflow_dispatch / workflow_call input (repeatable)', collect, [])
    .option(
      '--secret <NAME[=value]>',
      'a secret; NAME alone reads it from this shell (repeatable; masked in all output)',
      collect,
      [],
    )
    .option('--var <name=value>', 'a configuration variable, the vars context (repeatable)', collect, [])
    .option(
      '--env <NAME[=value]>',
      'an environment variable for every step; NAME alone copies it from this shell (repeatable)',
      collect,
      [],
    )
    .option('--job <id>', 'run only this job (and the jobs it needs)')
    .option('--workspace <dir>', 'the checkout to run in (default: the working directory)')
    .option('--repository <owner/repo>', 'github.repository (default: from the git remote origin)')
    .option('--no-follow', 'do not start the workflows a repository_dispatch or workflow_dispatch names')
    .option('--max-runs <n>', 'stop a dispatch chain after this many workflow runs', '20')
    .option('--jobs <n>', 'jobs that run at the same time (default: the number of cores, at least 2)')
    .option(
      '--record-prompts',
      'run autostack run-prompt steps as `autostack run-prompt --record` (live API; writes the recordings file)',
    )
    .option(
      '--result-file <file.json>',
      'write the whole result (runs, jobs, steps, outputs, dispatches, records) as JSON',
    )
    .option(
      '--node <path>',
      'node binary that runs node actions (default: this one; GitHub runs node24 actions on Node 24)',
    )
    .option('--keep-temp', 'keep the runner temp directory (journals, step scripts, env files)')
    .option('--quiet', 'only step status lines, not step output')
    .option('--verbose', 'show ::debug:: lines and set RUNNER_DEBUG=1')
    .action(async (file: string, flags: WorkflowRunFlags) => {
      process.exitCode = await runWorkflowCommand(file, flags);
    });
}
