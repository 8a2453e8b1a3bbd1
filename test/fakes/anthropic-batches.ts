/**
 * The Message Batches API of the loopback Anthropic fake (anthropic-api.ts routes every
 * `/v1/messages/batches…` request here):
 *
 *   POST /v1/messages/batches              create: validates `requests` (custom_id pattern, unique,
 *                                          params with model, max_tokens, messages)
 *   GET  /v1/messages/batches/{id}         retrieve: `in_progress` for `pollsBeforeEnd` polls, then `ended`
 *   GET  /v1/messages/batches/{id}/results JSON Lines of {custom_id, result: {type, message|error}}
 *
 * Every request needs credentials and `anthropic-version`, like the messages route. Outcomes
 * are scripted per custom_id with `script(customId, outcome)`; unscripted requests succeed with
 * `textReply('OK')`, or whatever `answer` returns.
 *
 *   api.batches.pollsBeforeEnd = 2;
 *   api.batches.script('item-2', { type: 'errored', errorType: 'invalid_request_error', message: 'bad' });
 *   api.batches.script('item-3', { type: 'expired' });
 *   ... api.batches.creates.length === 1
 */
import type { ServerResponse } from 'node:http';
import {
  type FakeMessageReply,
  isRecord,
  type LoggedRequest,
  type MessagesRequestBody,
  randomId,
  rejectInvalid,
  resolveMessage,
  type ResolvedMessage,
  textReply,
  writeError,
  writeJson,
} from './anthropic-api.js';

export type FakeBatchOutcome =
  | { type: 'succeeded'; reply: FakeMessageReply }
  | { type: 'errored'; errorType: string; message: string }
  | { type: 'expired' }
  | { type: 'canceled' };

type BatchResult =
  | { type: 'succeeded'; message: ResolvedMessage }
  | { type: 'errored'; error: { type: 'error'; error: { type: string; message: string }; request_id: string } }
  | { type: 'expired' }
  | { type: 'canceled' };

interface FakeBatch {
  id: string;
  createdAt: string;
  endedAt: string | null;
  polls: number;
  requests: Array<{ custom_id: string; params: MessagesRequestBody }>;
  /** Decided at create time, so a script change later does not rewrite a batch. */
  results: Array<{ custom_id: string; result: BatchResult }>;
}

export interface BatchRouteRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  raw: string;
  parsed: unknown;
  requestId: string;
}

const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

function resultOf(outcome: FakeBatchOutcome, params: MessagesRequestBody): BatchResult {
  switch (outcome.type) {
    case 'succeeded':
      return { type: 'succeeded', message: resolveMessage(outcome.reply, params) };
    case 'errored':
      return {
        type: 'errored',
        error: {
          type: 'error',
          error: { type: outcome.errorType, message: outcome.message },
          request_id: randomId('req_'),
        },
      };
    default:
      return { type: outcome.type };
  }
}

/** What the real API says is wrong with a create body, or undefined when it is acceptable. */
function createProblem(body: unknown): string | undefined {
  if (!isRecord(body) || !Array.isArray(body.requests)) return 'requests: Field required';
  if (body.requests.length === 0) return 'requests: List should have at least 1 item';
  const seen = new Set<string>();
  for (const [index, request] of (body.requests as unknown[]).entries()) {
    if (!isRecord(request)) return `requests.${index}: Input should be an object`;
    const id = request.custom_id;
    if (typeof id !== 'string' || !CUSTOM_ID.test(id))
      return `requests.${index}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'`;
    if (seen.has(id)) return `Duplicate custom_id: ${id}`;
    seen.add(id);
    const params = request.params;
    if (!isRecord(params)) return `requests.${index}.params: Field required`;
    const missing = ['model', 'max_tokens', 'messages'].find((key) => params[key] === undefined);
    if (missing !== undefined) return `requests.${index}.params.${missing}: Field required`;
    if (params.stream === true) return `requests.${index}.params.stream: streaming is not supported in batches`;
  }
  return undefined;
}

export class FakeBatches {
  /** Every POST /v1/messages/batches, accepted or not. */
  readonly creates: LoggedRequest[] = [];
  /** Every GET of a batch (polls; the SDK's results() reads the batch first too). */
  readonly retrieves: string[] = [];
  /** Every GET of a batch's results. */
  readonly resultReads: string[] = [];
  /** Polls a new batch answers `in_progress` before it is `ended`. */
  pollsBeforeEnd = 1;
  /** The outcome of a request nobody scripted. */
  answer: (customId: string, params: MessagesRequestBody) => FakeBatchOutcome = () => ({
    type: 'succeeded',
    reply: textReply('OK'),
  });
  private readonly scripted = new Map<string, FakeBatchOutcome>();
  private readonly batches = new Map<string, FakeBatch>();

  script(customId: string, outcome: FakeBatchOutcome): void {
    this.scripted.set(customId, outcome);
  }

  /** Forgets a batch, as the API does once results are gone (a retrieve then answers 404). */
  forget(id: string): void {
    this.batches.delete(id);
  }

  handle(request: BatchRouteRequest, res: ServerResponse): void {
    const { method, path, headers, raw, parsed, requestId } = request;
    if (method === 'POST' && path === '/v1/messages/batches') {
      this.creates.push({ headers, body: (isRecord(parsed) ? parsed : {}) as MessagesRequestBody });
      if (rejectInvalid(res, headers, raw, parsed, requestId)) return;
      this.create(parsed, headers, res, requestId);
      return;
    }
    const match = /^\/v1\/messages\/batches\/([^/]+)(\/results)?$/.exec(path);
    if (method !== 'GET' || match === null) {
      writeError(res, requestId, 404, 'not_found_error', `Not found: ${method} ${path}`);
      return;
    }
    if (rejectInvalid(res, headers, '{}', {}, requestId)) return;
    const batch = this.batches.get(match[1] ?? '');
    if (batch === undefined) {
      writeError(res, requestId, 404, 'not_found_error', `Batch not found: ${match[1] ?? ''}`);
      return;
    }
    if (match[2] === undefined) {
      this.retrieves.push(batch.id);
      if (batch.endedAt === null && ++batch.polls > this.pollsBeforeEnd) batch.endedAt = new Date().toISOString();
      writeJson(res, 200, this.view(batch, headers), { 'request-id': requestId });
      return;
    }
    this.resultReads.push(batch.id);
    if (batch.endedAt === null) {
      writeError(res, requestId, 400, 'invalid_request_error', 'Batch results are not available until processing ends');
      return;
    }
    const body = batch.results.map((line) => `${JSON.stringify(line)}\n`).join('');
    res.writeHead(200, { 'content-type': 'application/x-jsonl', 'request-id': requestId });
    res.end(body);
  }

  private create(parsed: unknown, headers: Record<string, string>, res: ServerResponse, requestId: string): void {
    const problem = createProblem(parsed);
    if (problem !== undefined) {
      writeError(res, requestId, 400, 'invalid_request_error', problem);
      return;
    }
    const requests = (parsed as { requests: FakeBatch['requests'] }).requests;
    const batch: FakeBatch = {
      id: randomId('msgbatch_'),
      createdAt: new Date().toISOString(),
      endedAt: null,
      polls: 0,
      requests,
      results: requests.map(({ custom_id, params }) => ({
        custom_id,
        result: resultOf(this.scripted.get(custom_id) ?? this.answer(custom_id, params), params),
      })),
    };
    this.batches.set(batch.id, batch);
    writeJson(res, 200, this.view(batch, headers), { 'request-id': requestId });
  }

  private view(batch: FakeBatch, headers: Record<string, string>): Record<string, unknown> {
    const ended = batch.endedAt !== null;
    const count = (type: BatchResult['type']): number =>
      ended ? batch.results.filter((line) => line.result.type === type).length : 0;
    return {
      id: batch.id,
      type: 'message_batch',
      processing_status: ended ? 'ended' : 'in_progress',
      request_counts: {
        processing: ended ? 0 : batch.requests.length,
        succeeded: count('succeeded'),
        errored: count('errored'),
        canceled: count('canceled'),
        expired: count('expired'),
      },
      created_at: batch.createdAt,
      ended_at: batch.endedAt,
      expires_at: new Date(Date.parse(batch.createdAt) + 24 * 3600_000).toISOString(),
      archived_at: null,
      cancel_initiated_at: null,
      results_url: ended ? `http://${headers.host ?? '127.0.0.1'}/v1/messages/batches/${batch.id}/results` : null,
    };
  }
}
