import { join } from 'node:path';
import { DEFAULT_MAX_HOPS, parentEventFromPayload } from '../events/cloud-event.js';
import { parseEventData } from '../events/event-data.js';
import { DEFAULT_OUTBOX, type EmitSpec } from '../events/emit.js';
import { DEFAULT_DEDUPE_TTL_SECONDS, DEFAULT_STREAM, validateStreamName } from '../events/redis-names.js';
import type { WaitSpec } from '../events/wait-child.js';
import type { GitHubContext } from '../io/github-context.js';
import type { Ports } from '../ports/ports.js';
import { RUN_ENV } from '../runs/context.js';
import { InputError } from '../shared/errors.js';
import { CONTROL_CHARACTERS, input, type InputsOf, lineInputs, readInputs, showValue } from '../shared/inputs.js';
import { confinedWritePath } from '../shared/paths.js';
import { registerSecret } from '../shared/redact.js';

/** emit-event's inputs: one schema for the action (INPUT_*) and `autostack emit` (--flags). */
export const emitEventInputs = {
  type: input.text().superRefine((value, ctx) => {
    if (value.length > 200 || CONTROL_CHARACTERS.test(value))
      ctx.addIssue({
        code: 'custom',
        message: `must be one line of at most 200 characters with no control characters, e.g. com.example.issue.triaged (got ${showValue(value)})`,
      });
  }),
  data: input.optionalText(),
  source: lineInputs.oneLine(1000).superRefine((value, ctx) => {
    // CloudEvents: source is a URI-reference — no spaces; `urn:…`, `https://…` or a path.
    if (value !== undefined && /\s/.test(value))
      ctx.addIssue({
        code: 'custom',
        message: `must be a URI-reference with no spaces, e.g. https://github.com/owner/repo or urn:example:app (got ${showValue(value)})`,
      });
  }),
  subject: lineInputs.oneLine(1000),
  'redis-url': input.optionalText(),
  stream: input.optionalText(),
  'max-len': input.integer({ min: 0, max: 1_000_000_000, default: 0 }),
  'dedupe-ttl-seconds': input.integer({ min: 60, max: 365 * 24 * 3600, default: DEFAULT_DEDUPE_TTL_SECONDS }),
  'dispatch-repository': input.optionalText(),
  'dispatch-workflow': input.optionalText().superRefine((value, ctx) => {
    if (value !== undefined && !WORKFLOW_REFERENCE.test(value))
      ctx.addIssue({
        code: 'custom',
        message: `must be a workflow file name such as deploy.yml, its path .github/workflows/deploy.yml, or its numeric id (got ${showValue(value)})`,
      });
  }),
  'dispatch-ref': input.optionalText().superRefine((value, ctx) => {
    if (value !== undefined && !isValidRef(value))
      ctx.addIssue({
        code: 'custom',
        message: `must be a branch or tag name such as main or v1.2.0, or refs/heads/… (got ${showValue(value)})`,
      });
  }),
  'dispatch-inputs': input.optionalText(),
  'github-token': input.optionalText(),
  'idempotency-key': input.optionalText(),
  file: input.optionalText(),
  'max-hops': input.integer({ min: 0, max: 1000, default: DEFAULT_MAX_HOPS }),
  'too-large': input.oneOf(['fail', 'reference'], 'fail'),
  'timeout-seconds': input.integer({ min: 1, max: 3600, default: 30 }),
  attempts: input.integer({ min: 1, max: 10, default: 3 }),
  outbox: input.optionalText(),
};

/** `deploy.yml`, `.github/workflows/deploy.yaml` or a numeric workflow id. */
const WORKFLOW_REFERENCE = /^(?:\d+|(?:\.github\/workflows\/)?[A-Za-z0-9_.-]+\.ya?ml)$/;

/** git check-ref-format's rules, as far as a user can break them by typing. */
function isValidRef(ref: string): boolean {
  if (ref.length > 255 || CONTROL_CHARACTERS.test(ref) || /[\s~^:?*[\\]/.test(ref)) return false;
  if (
    ref.startsWith('/') ||
    ref.endsWith('/') ||
    ref.endsWith('.') ||
    ref.endsWith('.lock') ||
    ref.includes('..') ||
    ref.includes('//') ||
    ref.includes('@{') ||
    ref === '@'
  )
    return false;
  return !ref.split('/').some((part) => part.startsWith('.') || part === '');
}

export interface EmitEnvironment {
  env: NodeJS.ProcessEnv;
  /** The run this step is in (readGitHubContext), read once by the entry point. */
  github: GitHubContext;
  workspace: string;
  /** Made once by the entry point (runnerPorts). */
  ports: Ports;
  /** Stands for the step on a runner; the CLI passes its own. */
  step?: string | undefined;
}

async function parseDispatchInputs(text: string | undefined): Promise<Record<string, string> | undefined> {
  const value = await parseEventData(text, 'dispatch-inputs');
  if (value === undefined) return undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(
      'dispatch-inputs',
      'must be a YAML mapping of workflow_dispatch input names to values, e.g.\n  environment: staging',
    );
  }
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([key, entry]) => [
      key,
      typeof entry === 'string' ? entry : JSON.stringify(entry),
    ]),
  );
}

type EmitEventInputs = InputsOf<typeof emitEventInputs>;

/** The dispatch target's repository and token, checked against each other and the dispatch-* inputs. */
async function dispatchTarget(
  inputs: EmitEventInputs,
  env: NodeJS.ProcessEnv,
  github: GitHubContext,
): Promise<{ repository: string | undefined; token: string | undefined }> {
  const repository = inputs['dispatch-repository'] ?? (inputs['dispatch-workflow'] ? github.repository : undefined);
  if (inputs['dispatch-workflow'] && !repository)
    throw new InputError(
      'dispatch-repository',
      'is required with dispatch-workflow when GITHUB_REPOSITORY is not set (owner/repo)',
    );
  // The GitHub modules load only for a dispatch target: a file or Redis emit never reaches them.
  if (repository && !(await import('../github/repository.js')).REPOSITORY_NAME.test(repository)) {
    throw new InputError('dispatch-repository', `must be owner/repo (got '${repository}')`);
  }
  const token = inputs['github-token'] ?? env.GITHUB_TOKEN;
  if (repository && !token)
    throw new InputError(
      'github-token',
      'is required to dispatch: a token with contents: write (repository_dispatch) or actions: write (workflow_dispatch) on the target repository',
    );
  if (inputs['dispatch-inputs'] && !inputs['dispatch-workflow'])
    throw new InputError('dispatch-inputs', 'is only used with dispatch-workflow');
  if (inputs['dispatch-ref'] && !inputs['dispatch-workflow'])
    throw new InputError(
      'dispatch-ref',
      'is only used with dispatch-workflow (repository_dispatch always runs on the default branch)',
    );
  return { repository, token };
}

/** The redis:// URL parser, loaded only for a Redis target. */
const redisUrls = () => import('../events/redis-url.js');

/** Turns raw inputs (action or CLI) into the domain's spec; secrets are returned for masking. */
export async function emitEventSpec(
  read: (name: string) => string | undefined,
  context: EmitEnvironment,
): Promise<{ spec: EmitSpec; secrets: string[] }> {
  const secrets: string[] = [];
  // Secrets first: a later validation error must not be able to print them.
  const rawToken = read('github-token')?.trim() || context.env.GITHUB_TOKEN;
  if (rawToken) secrets.push(rawToken);
  const rawRedis = read('redis-url')?.trim() || context.env.REDIS_URL;
  if (rawRedis) secrets.push(...(await redisUrls()).redisUrlPasswords(rawRedis));

  for (const secret of secrets) registerSecret(secret);
  const inputs = readInputs(emitEventInputs, read);
  const { env, workspace, github } = context;
  const redisUrl = inputs['redis-url'] ?? (env.REDIS_URL?.trim() || undefined);
  if (redisUrl)
    (await redisUrls()).parseRedisUrl(redisUrl, inputs['redis-url'] ? 'redis-url' : 'redis-url (from env REDIS_URL)');
  const stream = validateStreamName(inputs.stream ?? DEFAULT_STREAM);

  const { repository, token } = await dispatchTarget(inputs, env, github);

  const source =
    inputs.source ??
    (github.repository ? `${github.serverUrl.replace(/\/$/, '')}/${github.repository}` : 'urn:autostack:local');
  const stepName = context.step ?? `${github.job ?? 'job'}/${github.action ?? 'emit-event'}`;

  // Written paths stay inside the workspace (symlinks and `..` resolved), checked before any send.
  if (inputs.file) confinedWritePath('file', inputs.file, workspace, env);
  if (inputs.outbox) confinedWritePath('outbox', inputs.outbox, workspace, env);
  const spec: EmitSpec = {
    type: inputs.type,
    data: await parseEventData(inputs.data),
    source,
    subject: inputs.subject,
    idempotencyKey: inputs['idempotency-key'],
    maxHops: inputs['max-hops'],
    redisUrl,
    stream,
    maxLen: inputs['max-len'] || undefined,
    dedupeTtlSeconds: inputs['dedupe-ttl-seconds'],
    file: inputs.file,
    defaultFile: join('.autostack', 'events.jsonl'),
    dispatch:
      repository && token
        ? {
            repository,
            workflow: inputs['dispatch-workflow'],
            ref: inputs['dispatch-ref'],
            inputs: await parseDispatchInputs(inputs['dispatch-inputs']),
            token,
            apiUrl: github.apiUrl,
          }
        : undefined,
    tooLarge: inputs['too-large'],
    timeoutMs: inputs['timeout-seconds'] * 1000,
    attempts: inputs.attempts,
    outboxPath: resolveIn(workspace, inputs.outbox ?? DEFAULT_OUTBOX),
    workspace,
    ports: context.ports,
    dispatchLedgerPath: resolveIn(workspace, join('.autostack', 'dispatch-ledger.jsonl')),
    workflowRunId: github.runId ?? env[RUN_ENV.runId] ?? 'local',
    step: stepName,
    runId: env[RUN_ENV.runId],
    parent: parentEventFromPayload(github.payload),
    traceparent: env.TRACEPARENT,
    journalPath: env[RUN_ENV.journal],
  };
  return { spec, secrets };
}

function resolveIn(workspace: string, path: string): string {
  return path.startsWith('/') ? path : join(workspace, path);
}

/** emit-event's wait inputs (kept apart from the emit inputs: waiting is a step after emitting). */
export const emitEventWaitInputs = {
  wait: input.boolean(false),
  'wait-timeout-minutes': input.integer({ min: 1, max: 6 * 60, default: 60 }),
  'fail-on-child-failure': input.boolean(true),
};

export function waitSpecOf(read: (name: string) => string | undefined, spec: EmitSpec): WaitSpec {
  const inputs = readInputs(emitEventWaitInputs, read);
  if (inputs.wait && !spec.dispatch) {
    throw new InputError(
      'wait',
      'needs a dispatch target (dispatch-repository and/or dispatch-workflow): there is no child run to wait for',
    );
  }
  return {
    wait: inputs.wait,
    timeoutMs: inputs['wait-timeout-minutes'] * 60_000,
    failOnChildFailure: inputs['fail-on-child-failure'],
  };
}
