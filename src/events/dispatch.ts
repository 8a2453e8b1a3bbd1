import { parse as parseYaml } from 'yaml';
import {
  type CloudEvent,
  DISPATCH_PAYLOAD_KEY,
  eventReference,
  serializeEvent,
  WORKFLOW_EVENT_INPUT,
} from './envelope.js';
import { UserError } from '../shared/errors.js';
import type { GitHubClient } from '../github/client.js';
import { parseRepository, type RepositoryRef } from '../github/repository.js';

/**
 * The two ways autostack starts a workflow run in another (or the same) repository:
 *
 * - `repository_dispatch`: the whole CloudEvent envelope under ONE `client_payload` key
 *   (`client_payload.autostack`), `event_type` = the event type (or a routed name).
 * - `workflow_dispatch`: a named workflow file (or id) on a ref, with inputs checked against the
 *   workflow's declared `on.workflow_dispatch.inputs` when the file can be read, and
 *   `return_run_details: true` so the child run's id and URL come back.
 *
 * GitHub's limits are checked before anything is sent; a failure becomes a DispatchError whose
 * message names what to fix (the permission, the limit, GitHub's own validation message).
 * Transient failures (5xx, secondary rate limits with retry-after) are retried by the client's
 * retry and throttling plugins within their bound; what still fails is `transient: true`.
 */

/** GitHub's documented limits (REST docs, "Create a repository dispatch event" / "workflow dispatch"). */
export const DISPATCH_LIMITS = {
  eventTypeChars: 100,
  clientPayloadProperties: 10,
  /** client_payload must be under 64 KB (bytes of its JSON). */
  clientPayloadBytes: 65_536,
  workflowInputs: 25,
  workflowInputChars: 65_535,
} as const;

export type DispatchKind = 'repository_dispatch' | 'workflow_dispatch';

/** A dispatch that failed; `transient` tells a caller (the relay) whether trying later can help. */
export class DispatchError extends UserError {
  readonly kind: DispatchKind;
  /** GitHub's HTTP status, when GitHub answered. */
  readonly status: number | undefined;
  readonly transient: boolean;
  constructor(kind: DispatchKind, message: string, options: { status?: number | undefined; transient: boolean }) {
    super(message);
    this.name = 'DispatchError';
    this.kind = kind;
    this.status = options.status;
    this.transient = options.transient;
  }
}

/** A limit that would be exceeded; nothing was sent. */
export class DispatchLimitError extends DispatchError {
  constructor(kind: DispatchKind, message: string) {
    super(kind, message, { transient: false });
    this.name = 'DispatchLimitError';
  }
}

/** Where the full event can be found when a reference is dispatched instead of the event. */
export interface EventLocation {
  stream: string;
  entryId: string;
}

export interface RepositoryDispatchRequest {
  /** owner/repo */
  repository: string;
  event: CloudEvent;
  /** Default: the event's type. */
  eventType?: string | undefined;
  /**
   * Too large for client_payload: with a location, dispatch a reference to it (the envelope's
   * attributes with `data` = `{autostackref: {stream, entry}}`); without one, fail.
   */
  referenceWhenTooLarge?: EventLocation | undefined;
}

export interface RepositoryDispatchResult {
  kind: 'repository_dispatch';
  repository: string;
  eventType: string;
  /** True when a reference to the event was sent instead of the event. */
  reference: boolean;
  /** Size of the client_payload sent, in bytes of JSON. */
  payloadBytes: number;
}

export interface WorkflowDispatchRequest {
  repository: string;
  /** Workflow file name (`deploy.yml`, or `.github/workflows/deploy.yml`) or numeric id. */
  workflow: string;
  /** Branch or tag; default: the repository's default branch. */
  ref?: string | undefined;
  inputs?: Record<string, string | number | boolean> | undefined;
  /**
   * The event, passed as the JSON input `autostack-event` when the target workflow declares that
   * input (so the child run records its parent). Never sent to a workflow that does not declare it.
   */
  event?: CloudEvent | undefined;
  referenceWhenTooLarge?: EventLocation | undefined;
  /** Read the workflow file to check inputs (default true; skipped quietly when unreadable). */
  checkInputs?: boolean | undefined;
}

export interface WorkflowDispatchResult {
  kind: 'workflow_dispatch';
  repository: string;
  workflow: string;
  ref: string;
  inputs: Record<string, string | number | boolean>;
  /** Whether the event travelled as the `autostack-event` input, and as a reference. */
  eventInput: 'full' | 'reference' | 'none';
  /** Present when GitHub returned run details (github.com since Feb 2026; older GHES answers 204). */
  runId?: number | undefined;
  runUrl?: string | undefined;
  htmlUrl?: string | undefined;
  /** Whether the workflow's declared inputs could be read and were checked. */
  inputsChecked: boolean;
}

export type DispatchResult = RepositoryDispatchResult | WorkflowDispatchResult;

function splitRepository(repository: string, kind: DispatchKind): RepositoryRef {
  const parsed = parseRepository(repository);
  if (!parsed) {
    throw new DispatchError(kind, `Repository '${repository}' is not owner/repo (e.g. octo-org/octo-repo)`, {
      transient: false,
    });
  }
  return parsed;
}

function bytesOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

// ---------------------------------------------------------------------------------------------
// repository_dispatch
// ---------------------------------------------------------------------------------------------

/** Builds the client_payload (one key), enforcing GitHub's limits; exported for callers that only check. */
export function buildClientPayload(request: RepositoryDispatchRequest): {
  payload: Record<string, unknown>;
  eventType: string;
  reference: boolean;
} {
  const eventType = request.eventType ?? request.event.type;
  if (eventType.length === 0 || eventType.length > DISPATCH_LIMITS.eventTypeChars) {
    throw new DispatchLimitError(
      'repository_dispatch',
      `repository_dispatch event_type must be 1-${DISPATCH_LIMITS.eventTypeChars} characters; '${eventType.slice(0, 40)}…' has ${eventType.length}. Use a shorter event type (or route it to a shorter event-type).`,
    );
  }
  const full = { [DISPATCH_PAYLOAD_KEY]: request.event };
  const fullBytes = bytesOf(full);
  if (fullBytes < DISPATCH_LIMITS.clientPayloadBytes) return { payload: full, eventType, reference: false };
  if (!request.referenceWhenTooLarge) {
    throw new DispatchLimitError(
      'repository_dispatch',
      `Event ${request.event.id} is ${fullBytes} bytes as client_payload; GitHub accepts under ${DISPATCH_LIMITS.clientPayloadBytes} (64 KB). Make data smaller, or dispatch a reference to the stream entry instead (emit-event input too-large: reference, with a Redis target).`,
    );
  }
  const ref = { [DISPATCH_PAYLOAD_KEY]: eventReference(request.event, request.referenceWhenTooLarge) };
  const refBytes = bytesOf(ref);
  if (refBytes >= DISPATCH_LIMITS.clientPayloadBytes) {
    throw new DispatchLimitError(
      'repository_dispatch',
      `Even a reference to event ${request.event.id} is ${refBytes} bytes (over 64 KB): its attributes (subject, source, extensions) are too large.`,
    );
  }
  return { payload: ref, eventType, reference: true };
}

export async function dispatchRepositoryEvent(
  client: GitHubClient,
  request: RepositoryDispatchRequest,
): Promise<RepositoryDispatchResult> {
  const { owner, repo } = splitRepository(request.repository, 'repository_dispatch');
  const { payload, eventType, reference } = buildClientPayload(request);
  // One key by construction, but keep the guard next to the limit it protects.
  if (Object.keys(payload).length > DISPATCH_LIMITS.clientPayloadProperties) {
    throw new DispatchLimitError(
      'repository_dispatch',
      `client_payload may have at most ${DISPATCH_LIMITS.clientPayloadProperties} top-level properties`,
    );
  }
  try {
    await client.request('POST /repos/{owner}/{repo}/dispatches', {
      owner,
      repo,
      event_type: eventType,
      client_payload: payload,
    });
  } catch (error) {
    throw dispatchFailure('repository_dispatch', request.repository, error);
  }
  return {
    kind: 'repository_dispatch',
    repository: `${owner}/${repo}`,
    eventType,
    reference,
    payloadBytes: bytesOf(payload),
  };
}

// ---------------------------------------------------------------------------------------------
// workflow_dispatch
// ---------------------------------------------------------------------------------------------

export interface DeclaredInput {
  name: string;
  required: boolean;
  hasDefault: boolean;
  type?: string | undefined;
  options?: string[] | undefined;
}

/** The declared workflow_dispatch inputs of a workflow file; undefined when it has no workflow_dispatch trigger. */
export function declaredWorkflowInputs(workflowYaml: string): DeclaredInput[] | undefined {
  const doc = parseYaml(workflowYaml) as unknown;
  if (!doc || typeof doc !== 'object') return undefined;
  const on = (doc as Record<string, unknown>)['on'];
  if (on === 'workflow_dispatch') return [];
  if (Array.isArray(on)) return on.includes('workflow_dispatch') ? [] : undefined;
  if (!on || typeof on !== 'object' || !('workflow_dispatch' in on)) return undefined;
  const trigger = (on as Record<string, unknown>)['workflow_dispatch'];
  const inputs = trigger && typeof trigger === 'object' ? (trigger as Record<string, unknown>)['inputs'] : undefined;
  if (!inputs || typeof inputs !== 'object') return [];
  return Object.entries(inputs as Record<string, unknown>).map(([name, spec]) => {
    const s = spec && typeof spec === 'object' ? (spec as Record<string, unknown>) : {};
    return {
      name,
      required: s['required'] === true,
      hasDefault: s['default'] !== undefined,
      type: typeof s['type'] === 'string' ? s['type'] : undefined,
      options: Array.isArray(s['options']) ? s['options'].map(String) : undefined,
    };
  });
}

function workflowPath(workflow: string): string {
  return workflow.includes('/') ? workflow : `.github/workflows/${workflow}`;
}

async function readWorkflowFile(
  client: GitHubClient,
  owner: string,
  repo: string,
  workflow: string,
  ref: string,
): Promise<string | undefined> {
  try {
    let path = workflowPath(workflow);
    if (/^\d+$/.test(workflow)) {
      const wf = await client.request('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}', {
        owner,
        repo,
        workflow_id: Number(workflow),
      });
      path = wf.data.path;
    }
    const file = await client.request('GET /repos/{owner}/{repo}/contents/{path}', { owner, repo, path, ref });
    const data = file.data as { content?: string; encoding?: string };
    if (typeof data.content !== 'string') return undefined;
    return Buffer.from(data.content, data.encoding === 'base64' ? 'base64' : 'utf8').toString('utf8');
  } catch {
    // Unreadable (no contents: read, a private repo, GHES quirks): GitHub still validates on dispatch.
    return undefined;
  }
}

function checkInputsAgainst(
  request: WorkflowDispatchRequest,
  inputs: Record<string, string | number | boolean>,
  declared: DeclaredInput[],
): void {
  const where = `workflow '${request.workflow}' in ${request.repository}`;
  const names = new Set(declared.map((d) => d.name));
  const unknown = Object.keys(inputs).filter((name) => !names.has(name));
  if (unknown.length > 0) {
    const list = declared.length > 0 ? declared.map((d) => d.name).join(', ') : '(none)';
    throw new DispatchError(
      'workflow_dispatch',
      `${where} does not declare the input(s) ${unknown.join(', ')}; its workflow_dispatch inputs are: ${list}`,
      { transient: false },
    );
  }
  for (const d of declared) {
    const value = inputs[d.name];
    if (value === undefined) {
      if (d.required && !d.hasDefault) {
        throw new DispatchError(
          'workflow_dispatch',
          `${where} requires the input '${d.name}' (no default), and none was given`,
          { transient: false },
        );
      }
      continue;
    }
    if (d.type === 'boolean' && !['true', 'false'].includes(String(value))) {
      throw new DispatchError(
        'workflow_dispatch',
        `Input '${d.name}' of ${where} is a boolean; got '${String(value).slice(0, 40)}'`,
        { transient: false },
      );
    }
    if (d.type === 'number' && !Number.isFinite(Number(value))) {
      throw new DispatchError(
        'workflow_dispatch',
        `Input '${d.name}' of ${where} is a number; got '${String(value).slice(0, 40)}'`,
        { transient: false },
      );
    }
    if (d.type === 'choice' && d.options && !d.options.includes(String(value))) {
      throw new DispatchError(
        'workflow_dispatch',
        `Input '${d.name}' of ${where} must be one of ${d.options.join(', ')}; got '${String(value).slice(0, 40)}'`,
        { transient: false },
      );
    }
  }
}

function checkInputLimits(request: WorkflowDispatchRequest, inputs: Record<string, unknown>): void {
  const count = Object.keys(inputs).length;
  if (count > DISPATCH_LIMITS.workflowInputs) {
    throw new DispatchLimitError(
      'workflow_dispatch',
      `workflow_dispatch takes at most ${DISPATCH_LIMITS.workflowInputs} inputs; ${count} were given for '${request.workflow}'`,
    );
  }
  const chars = JSON.stringify(inputs).length;
  if (chars > DISPATCH_LIMITS.workflowInputChars) {
    throw new DispatchLimitError(
      'workflow_dispatch',
      `workflow_dispatch inputs for '${request.workflow}' are ${chars} characters; GitHub accepts at most ${DISPATCH_LIMITS.workflowInputChars}.` +
        (request.event
          ? ' Dispatch a reference to the stream entry instead (emit-event input too-large: reference), or make data smaller.'
          : ''),
    );
  }
}

/** The workflow's declared inputs at ref; undefined when the file cannot be read (then nothing is checked). */
async function declaredInputsAt(
  client: GitHubClient,
  request: WorkflowDispatchRequest,
  at: RepositoryRef & { ref: string },
): Promise<DeclaredInput[] | undefined> {
  const text = await readWorkflowFile(client, at.owner, at.repo, request.workflow, at.ref);
  if (text === undefined) return undefined;
  let declared: DeclaredInput[] | undefined;
  try {
    declared = declaredWorkflowInputs(text);
  } catch {
    declared = undefined;
  }
  if (declared === undefined) {
    throw new DispatchError(
      'workflow_dispatch',
      `Workflow '${request.workflow}' in ${request.repository} (ref ${at.ref}) has no 'on: workflow_dispatch' trigger, so it cannot be dispatched`,
      { transient: false },
    );
  }
  return declared;
}

export async function dispatchWorkflow(
  client: GitHubClient,
  request: WorkflowDispatchRequest,
): Promise<WorkflowDispatchResult> {
  const kind = 'workflow_dispatch';
  const { owner, repo } = splitRepository(request.repository, kind);
  if (!request.workflow.trim())
    throw new DispatchError(kind, 'workflow_dispatch needs a workflow file name or id', { transient: false });
  let ref = request.ref;
  if (!ref) {
    try {
      ref = (await client.request('GET /repos/{owner}/{repo}', { owner, repo })).data.default_branch;
    } catch (error) {
      throw dispatchFailure(kind, request.repository, error);
    }
  }
  const inputs: Record<string, string | number | boolean> = { ...(request.inputs ?? {}) };
  const declared =
    request.checkInputs === false ? undefined : await declaredInputsAt(client, request, { owner, repo, ref });
  let inputsChecked = false;
  let eventInput: WorkflowDispatchResult['eventInput'] = 'none';
  if (
    request.event &&
    declared?.some((d) => d.name === WORKFLOW_EVENT_INPUT) &&
    inputs[WORKFLOW_EVENT_INPUT] === undefined
  ) {
    const full = serializeEvent(request.event);
    const others = JSON.stringify(inputs).length;
    if (
      others + full.length + WORKFLOW_EVENT_INPUT.length + 6 <= DISPATCH_LIMITS.workflowInputChars ||
      !request.referenceWhenTooLarge
    ) {
      inputs[WORKFLOW_EVENT_INPUT] = full;
      eventInput = 'full';
    } else {
      inputs[WORKFLOW_EVENT_INPUT] = serializeEvent(eventReference(request.event, request.referenceWhenTooLarge));
      eventInput = 'reference';
    }
  }
  if (declared) {
    checkInputsAgainst(request, inputs, declared);
    inputsChecked = true;
  }
  checkInputLimits(request, inputs);

  const workflowId: string | number = /^\d+$/.test(request.workflow)
    ? Number(request.workflow)
    : request.workflow.replace(/^\.github\/workflows\//, '');
  const send = (details: boolean) =>
    client.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
      owner,
      repo,
      workflow_id: workflowId,
      ref,
      inputs,
      ...(details ? { return_run_details: true } : {}),
    });
  let response: Awaited<ReturnType<typeof send>>;
  try {
    try {
      response = await send(true);
    } catch (error) {
      // Older GHES rejects the field: dispatch without it (then no run details come back).
      const status = (error as { status?: number }).status;
      if ((status === 400 || status === 422) && /return_run_details/i.test(githubMessage(error)))
        response = await send(false);
      else throw error;
    }
  } catch (error) {
    throw dispatchFailure(kind, request.repository, error, request.workflow);
  }
  const data = (response.status === 200 ? response.data : undefined) as
    { workflow_run_id?: number; run_url?: string; html_url?: string } | undefined;
  return {
    kind,
    repository: `${owner}/${repo}`,
    workflow: request.workflow,
    ref,
    inputs,
    eventInput,
    runId: data?.workflow_run_id,
    runUrl: data?.run_url,
    htmlUrl: data?.html_url,
    inputsChecked,
  };
}

/** Where an event goes: workflow_dispatch when a workflow is named, else repository_dispatch. */
export interface DispatchTarget {
  repository: string;
  workflow?: string | undefined;
  ref?: string | undefined;
  inputs?: Record<string, string | number | boolean> | undefined;
  /** repository_dispatch only; default: the event's type. */
  eventType?: string | undefined;
}

/** Dispatches an event to a target of either kind (emit-event's dispatch and the relay's routes). */
export function dispatchEvent(
  client: GitHubClient,
  target: DispatchTarget,
  event: CloudEvent,
  referenceWhenTooLarge?: EventLocation,
): Promise<DispatchResult> {
  if (!target.workflow) {
    return dispatchRepositoryEvent(client, {
      repository: target.repository,
      event,
      eventType: target.eventType,
      referenceWhenTooLarge,
    });
  }
  return dispatchWorkflow(client, {
    repository: target.repository,
    workflow: target.workflow,
    ref: target.ref,
    inputs: target.inputs,
    event,
    referenceWhenTooLarge,
  });
}

// ---------------------------------------------------------------------------------------------
// Error mapping
// ---------------------------------------------------------------------------------------------

/** GitHub's message and validation errors from an octokit RequestError, without request details. */
function githubMessage(error: unknown): string {
  const e = error as { message?: string; response?: { data?: unknown } };
  const data = e.response?.data as { message?: unknown; errors?: unknown } | undefined;
  const parts: string[] = [];
  if (typeof data?.message === 'string') parts.push(data.message.replace(/\s*\n+\s*/g, ' ').trim());
  if (Array.isArray(data?.errors)) {
    for (const item of data.errors) {
      if (typeof item === 'string') parts.push(item);
      else if (item && typeof item === 'object') {
        const it = item as Record<string, unknown>;
        const text = [it['resource'], it['field'], it['code'], it['message']]
          .filter((x) => typeof x === 'string')
          .join(' ');
        if (text) parts.push(text);
      }
    }
  }
  if (parts.length === 0 && typeof e.message === 'string') parts.push(e.message.split(' - ')[0] ?? e.message);
  return parts.join('; ');
}

const DEFAULT_BRANCH_NOTE =
  'Note: dispatches only start workflows whose file is on the default branch of the target repository.';

/** Turns an octokit error into a DispatchError that says what to do. Never includes the token. */
export function dispatchFailure(
  kind: DispatchKind,
  repository: string,
  error: unknown,
  workflow?: string,
): DispatchError {
  if (error instanceof DispatchError) return error;
  const status = (error as { status?: number }).status;
  const message = githubMessage(error);
  const what =
    kind === 'repository_dispatch'
      ? `repository_dispatch to ${repository}`
      : `workflow_dispatch of '${workflow ?? '?'}' in ${repository}`;
  const permission = kind === 'repository_dispatch' ? 'contents: write' : 'actions: write';
  if (status === 401) {
    return new DispatchError(
      kind,
      `GitHub rejected the token for ${what} (401 ${message}). Check the github-token secret.`,
      { status, transient: false },
    );
  }
  if (status === 403 && /rate limit/i.test(message)) {
    return new DispatchError(
      kind,
      `GitHub rate-limited the ${what} (403 ${message}) and the retry bound ran out; try again later.`,
      { status, transient: true },
    );
  }
  if (status === 403 || status === 404) {
    const notFound =
      status === 404
        ? workflow
          ? ` (or the workflow '${workflow}' does not exist there)`
          : ' (GitHub answers 404 when the token cannot see the repository)'
        : '';
    return new DispatchError(
      kind,
      `GitHub answered ${status} to the ${what}${notFound}: the token needs '${permission}' on ${repository}. ` +
        `The default GITHUB_TOKEN only reaches its own repository; for another repository use a fine-grained PAT or a GitHub App token with '${permission}'. ${DEFAULT_BRANCH_NOTE} GitHub said: ${message}`,
      { status, transient: false },
    );
  }
  if (status === 422 || status === 400) {
    return new DispatchError(kind, `GitHub rejected the ${what} (${status}): ${message}`, { status, transient: false });
  }
  if (status === 429 || (status !== undefined && status >= 500)) {
    return new DispatchError(
      kind,
      `GitHub kept failing the ${what} (${status} ${message}) after retries; it will succeed on a later attempt if GitHub recovers.`,
      { status, transient: true },
    );
  }
  // Connection errors (octokit reports fetch failures as status 500 already) and the unexpected.
  return new DispatchError(kind, `The ${what} failed: ${message || String(error)}`, {
    status,
    transient: status === undefined,
  });
}
