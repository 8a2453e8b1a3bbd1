// Workflow commands (`::name key=value::message` lines a step prints) and the process that
// prints them: masks, groups, annotations, stop-commands, and the older commands GitHub still
// honours — set-output and save-state with a deprecation warning, set-env and add-path only when
// ACTIONS_ALLOW_UNSECURE_COMMANDS is true (otherwise the step fails with GitHub's message).
import { redact, registerSecret } from '../shared/redact.js';
import { type ProcessOptions, runProcess } from './process.js';
import type { FileEffects } from './env-file.js';
import type { Reporter } from './reporter.js';
import type { Session } from './session.js';
import type { JobRuntime, StepResult } from './types.js';

type Annotations = StepResult['annotations'];

/** What a step's commands changed, applied when the step ends (like its environment files). */
export interface CommandEffects extends FileEffects {
  annotations: Annotations;
  /** A command the runner could not process fails the step. */
  failure?: string;
}

const DEPRECATED = (name: string) =>
  `The \`${name}\` command is deprecated and will be disabled soon. Please upgrade to using Environment Files. For more information see: https://github.blog/changelog/2022-10-11-github-actions-deprecating-save-state-and-set-output-commands/`;
const DISABLED = (name: string) =>
  `The \`${name}\` command is disabled. Please upgrade to using Environment Files or opt into unsecure command execution by setting the \`ACTIONS_ALLOW_UNSECURE_COMMANDS\` environment variable to \`true\`. For more information see: https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/`;

function unescapeData(value: string): string {
  return value.replace(/%0A/gi, '\n').replace(/%0D/gi, '\r').replace(/%25/g, '%');
}

function unescapeProperty(value: string): string {
  return unescapeData(value).replace(/%3A/gi, ':').replace(/%2C/gi, ',');
}

function properties(text: string | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    const equals = part.indexOf('=');
    if (equals > 0) result[part.slice(0, equals).trim()] = unescapeProperty(part.slice(equals + 1));
  }
  return result;
}

interface CommandOptions {
  reporter: Reporter;
  depth: number;
  verbose: boolean;
  /** ACTIONS_ALLOW_UNSECURE_COMMANDS is true in the step's env context or the runner's environment. */
  allowUnsecure: boolean;
}

/** A line handler for one step's output, and the effects its commands had. */
export function commandHandler(options: CommandOptions): { onLine: (line: string) => void; effects: CommandEffects } {
  const effects: CommandEffects = { outputs: {}, env: {}, path: [], state: {}, annotations: [] };
  const { reporter, depth } = options;
  let indent = 0;
  let stopToken: string | undefined;
  const fail = (line: string, message: string) => {
    reporter.annotation('error', `Unable to process command '${line}' successfully.`, depth);
    reporter.annotation('error', message, depth);
    effects.annotations.push({ kind: 'error', message: redact(message) });
    effects.failure ??= message.split('.')[0] ?? message;
  };
  const handlers: Record<string, (message: string, props: Record<string, string>, line: string) => void> = {
    'add-mask': (message) => registerSecret(message),
    group: (message) => {
      reporter.stepOutput(`▾ ${message}`, indent, depth);
      indent++;
    },
    endgroup: () => {
      indent = Math.max(0, indent - 1);
    },
    debug: (message) => {
      if (options.verbose) reporter.stepOutput(`debug: ${message}`, indent, depth);
    },
    'stop-commands': (message) => {
      stopToken = message;
    },
    'set-output': (message, props, line) => {
      if (!props.name) return fail(line, "Required field 'name' is missing in ##[set-output] command.");
      reporter.annotation('warning', DEPRECATED('set-output'), depth);
      effects.outputs[props.name] = message;
    },
    'save-state': (message, props, line) => {
      if (!props.name) return fail(line, "Required field 'name' is missing in ##[save-state] command.");
      reporter.annotation('warning', DEPRECATED('save-state'), depth);
      effects.state[props.name] = message;
    },
    'set-env': (message, props, line) => {
      if (!options.allowUnsecure) return fail(line, DISABLED('set-env'));
      if (!props.name) return fail(line, "Required field 'name' is missing in ##[set-env] command.");
      if (props.name.toUpperCase() === 'NODE_OPTIONS') {
        reporter.annotation(
          'error',
          "Can't update NODE_OPTIONS environment variable using ::set-env:: command.",
          depth,
        );
        return;
      }
      effects.env[props.name] = message;
    },
    'add-path': (message, _props, line) => {
      if (!options.allowUnsecure) return fail(line, DISABLED('add-path'));
      if (message) effects.path.push(message);
    },
  };
  const onLine = (line: string) => {
    if (stopToken !== undefined) {
      if (line === `::${stopToken}::`) stopToken = undefined;
      else reporter.stepOutput(line, indent, depth);
      return;
    }
    const command = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    const [, name = '', props, rawMessage = ''] = command ?? [];
    const message = unescapeData(rawMessage);
    if (name === 'error' || name === 'warning' || name === 'notice') {
      effects.annotations.push({ kind: name, message: redact(message) });
      reporter.annotation(name, message, depth);
      return;
    }
    const handler = command && Object.hasOwn(handlers, name) ? handlers[name] : undefined;
    if (handler) handler(message, properties(props), line);
    else reporter.stepOutput(line, indent, depth);
  };
  return { onLine, effects };
}

export interface ProcessResult {
  error?: string;
  timedOut: boolean;
  cancelled: boolean;
  effects: CommandEffects;
  /** Outputs a hooked command printed as JSON on stdout. */
  stdoutOutputs?: Record<string, string>;
}

/** Runs one process of a job, turning the workflow commands in its output into effects. */
export async function executeStep(
  session: Session,
  runtime: JobRuntime,
  command: string,
  args: string[],
  options: ProcessOptions & { depth: number; outputsOnStdout?: boolean; allowUnsecure: boolean },
): Promise<ProcessResult> {
  const handler = commandHandler({
    reporter: runtime.reporter,
    depth: options.depth,
    verbose: Boolean(session.options.verbose),
    allowUnsecure: options.allowUnsecure,
  });
  let stdout = '';
  const onLine = (line: string, stream: 'stdout' | 'stderr') => {
    if (options.outputsOnStdout && stream === 'stdout') stdout += `${line}\n`;
    else handler.onLine(line);
  };
  const running = runProcess(command, args, {
    cwd: options.cwd,
    env: options.env,
    timeoutMs: options.timeoutMs,
    onLine,
  });
  session.running.add(running);
  runtime.running.add(running);
  const outcome = await running.done;
  session.running.delete(running);
  runtime.running.delete(running);
  let stdoutOutputs: Record<string, string> | undefined;
  if (options.outputsOnStdout && outcome.exitCode === 0) {
    try {
      stdoutOutputs = JSON.parse(stdout) as Record<string, string>;
    } catch {
      // no outputs: the step's own error output says why
    }
  }
  let error: string | undefined;
  if (outcome.spawnError) error = `could not start ${command}: ${outcome.spawnError}`;
  else if (outcome.cancelled) error = 'cancelled';
  else if (outcome.timedOut) error = undefined;
  else if (outcome.exitCode !== 0)
    error = outcome.signal ? `killed by ${outcome.signal}` : `exit code ${outcome.exitCode}`;
  else if (handler.effects.failure) error = handler.effects.failure;
  return {
    ...(error ? { error } : {}),
    timedOut: outcome.timedOut,
    cancelled: outcome.cancelled,
    effects: handler.effects,
    ...(stdoutOutputs ? { stdoutOutputs } : {}),
  };
}
