import { parse as parseYaml } from 'yaml';
import {
  type CloudEvent,
  DISPATCH_PAYLOAD_KEY,
  eventReference,
  serializeEvent,
  WORKFLOW_EVENT_INPUT,
} from './cloud-event.js';
import type { GitHubClient } from '../github/client.js';
import { parseRepository, type RepositoryRef } from '../github/repository.js';
import { githubMessage, githubStatus } from '../github/errors.js';
import { DispatchError, DispatchLimitError, type DispatchKind, dispatchFailure } from './dispatch-errors.js';

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

function targetRepository(repository: string, kind: DispatchKind): RepositoryRef {
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
  const { owner, repo } = targetRepository(request.repository, 'repository_dispatch');
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
  { owner, repo, ref }: RepositoryRef & { ref: string },
  workflow: string,
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
  const text = await readWorkflowFile(client, at, request.workflow);
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

/** The ref to dispatch on: the request's, or the repository's default branch. */
async function targetRef(client: GitHubClient, request: WorkflowDispatchRequest, at: RepositoryRef): Promise<string> {
  if (request.ref) return request.ref;
  try {
    return (await client.request('GET /repos/{owner}/{repo}', { owner: at.owner, repo: at.repo })).data.default_branch;
  } catch (error) {
    throw dispatchFailure('workflow_dispatch', request.repository, error);
  }
}

/**
 * Adds the event as the `autostack-event` input when the workflow declares it and the caller did not
 * set it: in full when it fits GitHub's input limit (or no reference is possible), else as a reference.
 */
function addEventInput(
  request: WorkflowDispatchRequest,
  inputs: Record<string, string | number | boolean>,
  declared: DeclaredInput[] | undefined,
): WorkflowDispatchResult['eventInput'] {
  if (
    !request.event ||
    !declared?.some((d) => d.name === WORKFLOW_EVENT_INPUT) ||
    inputs[WORKFLOW_EVENT_INPUT] !== undefined
  )
    return 'none';
  const full = serializeEvent(request.event);
  const others = JSON.stringify(inputs).length;
  if (
    others + full.length + WORKFLOW_EVENT_INPUT.length + 6 <= DISPATCH_LIMITS.workflowInputChars ||
    !request.referenceWhenTooLarge
  ) {
    inputs[WORKFLOW_EVENT_INPUT] = full;
    return 'full';
  }
  inputs[WORKFLOW_EVENT_INPUT] = serializeEvent(eventReference(request.event, request.referenceWhenTooLarge));
  return 'reference';
}

type RunDetails = { workflow_run_id?: number; run_url?: string; html_url?: string } | undefined;

/** POSTs the dispatch asking for run details; returns them when GitHub sent any (HTTP 200). */
async function sendWorkflowDispatch(
  client: GitHubClient,
  request: WorkflowDispatchRequest,
  at: RepositoryRef & { ref: string },
  inputs: Record<string, string | number | boolean>,
): Promise<RunDetails> {
  const workflowId: string | number = /^\d+$/.test(request.workflow)
    ? Number(request.workflow)
    : request.workflow.replace(/^\.github\/workflows\//, '');
  const send = (details: boolean) =>
    client.request('POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches', {
      owner: at.owner,
      repo: at.repo,
      workflow_id: workflowId,
      ref: at.ref,
      inputs,
      ...(details ? { return_run_details: true } : {}),
    });
  let response: Awaited<ReturnType<typeof send>>;
  try {
    try {
      response = await send(true);
    } catch (error) {
      // Older GHES rejects the field: dispatch without it (then no run details come back).
      const status = githubStatus(error);
      if ((status === 400 || status === 422) && /return_run_details/i.test(githubMessage(error)))
        response = await send(false);
      else throw error;
    }
  } catch (error) {
    throw dispatchFailure('workflow_dispatch', request.repository, error, request.workflow);
  }
  // 200 with run details (return_run_details); the typings of older @octokit/types know only 204.
  return (response.status as number) === 200 ? response.data : undefined;
}

export async function dispatchWorkflow(
  client: GitHubClient,
  request: WorkflowDispatchRequest,
): Promise<WorkflowDispatchResult> {
  const kind = 'workflow_dispatch';
  const { owner, repo } = targetRepository(request.repository, kind);
  if (!request.workflow.trim())
    throw new DispatchError(kind, 'workflow_dispatch needs a workflow file name or id', { transient: false });
  const ref = await targetRef(client, request, { owner, repo });
  const inputs: Record<string, string | number | boolean> = { ...(request.inputs ?? {}) };
  const declared =
    request.checkInputs === false ? undefined : await declaredInputsAt(client, request, { owner, repo, ref });
  let inputsChecked = false;
  const eventInput = addEventInput(request, inputs, declared);
  if (declared) {
    checkInputsAgainst(request, inputs, declared);
    inputsChecked = true;
  }
  checkInputLimits(request, inputs);
  const data = await sendWorkflowDispatch(client, request, { owner, repo, ref }, inputs);
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
