import { PROVIDERS } from '../ai/run-prompt-options.js';
import { CHANNEL, MAX_REPEAT } from '../prompts/limits.js';
import type { PromoteMode, PromoteSpec } from '../promotion/promote.js';
import { InputError } from '../shared/errors.js';
import { input, lineInputs, readInputs, type InputReader, type SpecWithSecrets } from '../shared/inputs.js';
import { modelAccess } from './model-access.js';
import type { GitHubContext } from '../io/github-context.js';
import type { Ports } from '../ports/ports.js';

/** promote-prompt's inputs: one schema for the action (INPUT_*) and the CLI (--flags). */
export const promotePromptInputs = {
  'prompt-file': input.text(),
  channel: input.optionalText(),
  version: input.optionalText(),
  eval: input.boolean(true),
  'min-pass-rate': input.number({ min: 0, max: 1, default: 1 }),
  concurrency: input.integer({ min: 1, max: 32, default: 4 }),
  repeat: input.optionalInteger({ min: 1, max: MAX_REPEAT }),
  'min-passes': input.optionalInteger({ min: 1, max: MAX_REPEAT }),
  mode: input.oneOf(['pull-request', 'commit', 'local'], 'pull-request'),
  rollback: input.boolean(false),
  'dry-run': input.boolean(false),
  'base-branch': input.optionalText(),
  'github-token': input.optionalText(),
  provider: input.oneOf(PROVIDERS, 'anthropic'),
  recordings: input.optionalText(),
  'anthropic-api-key': input.optionalText(),
  'base-url': lineInputs.httpUrl(),
  model: lineInputs.model(),
  cache: input.boolean(true),
  'max-cost-usd': input.number({ min: 0 }),
  'timeout-seconds': input.integer({ min: 1, max: 3600, default: 600 }),
};

export interface PromoteEnvironment {
  env: NodeJS.ProcessEnv;
  /** The run this step is in (readGitHubContext), read once by the entry point. */
  github: GitHubContext;
  workspace: string;
  /** The CLI's default mode is local; the action's is pull-request. */
  defaultMode?: PromoteMode;
  /** Made once by the entry point (runnerPorts). */
  ports: Ports;
}

function triggeringPull(github: GitHubContext): number | undefined {
  if (!/^pull_request/.test(github.eventName ?? '')) return undefined;
  const { pull_request: pull, number } = github.payload;
  const fromPull = pull !== null && typeof pull === 'object' ? (pull as { number?: unknown }).number : undefined;
  const found = fromPull ?? number;
  return typeof found === 'number' ? found : undefined;
}

/** Turns raw inputs (action or CLI) into the domain's spec; secrets are returned for masking. */
export function promotePromptSpec(read: InputReader, context: PromoteEnvironment): SpecWithSecrets<PromoteSpec> {
  const inputs = readInputs(promotePromptInputs, read);
  const { env, workspace } = context;
  const current = context.github;
  const channel = inputs.channel ?? 'production';
  if (!CHANNEL.test(channel))
    throw new InputError(
      'channel',
      `must be letters, digits, . _ - starting with a letter or digit, at most 64 characters (got '${channel}')`,
    );
  if (inputs.rollback && inputs.version)
    throw new InputError(
      'version',
      "cannot be combined with 'rollback': a rollback promotes the channel's previous version",
    );
  const repeat = inputs.repeat;
  const minPasses = inputs['min-passes'];
  if (repeat !== undefined && minPasses !== undefined && minPasses > repeat)
    throw new InputError(
      'min-passes',
      `is ${minPasses}, more than 'repeat' (${repeat}); it must be from 1 to ${repeat}`,
    );
  const mode: PromoteMode = read('mode')?.trim() ? inputs.mode : (context.defaultMode ?? inputs.mode);
  const { access, secrets } = modelAccess(read, inputs, context);
  if (mode !== 'local' && !current.repository)
    throw new InputError(
      'mode',
      `is ${mode}, which writes to GitHub, but GITHUB_REPOSITORY is not set; use mode local outside a runner`,
    );
  const spec: PromoteSpec = {
    promptFile: inputs['prompt-file'],
    channel,
    version: inputs.version,
    eval: inputs.eval,
    minPassRate: inputs['min-pass-rate'] ?? 1,
    evalOptions: { concurrency: inputs.concurrency, repeat, minPasses },
    mode,
    rollback: inputs.rollback,
    dryRun: inputs['dry-run'],
    baseBranch: inputs['base-branch'],
    run: {
      model: inputs.model,
      maxTokens: undefined,
      cache: inputs.cache,
      maxCostUsd: inputs['max-cost-usd'],
      allowTruncation: false,
      maxRepairs: 1,
      maxTurns: 10,
      deadlineMs: inputs['timeout-seconds'] * 1000,
      record: false,
      // The prompt's own GitHub tools work in the eval as they do in run-prompt.
      ...access,
    },
    github: access.github,
    ports: context.ports,
    workspace,
    sha: current.sha,
    actor: current.actor ?? env.USER ?? 'unknown',
    triggeringPull: triggeringPull(current),
  };
  return { spec, secrets };
}
