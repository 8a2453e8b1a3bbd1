// How a failed attempt of callModel is told apart: the SDK's errors (status, error events in a
// stream, aborts, broken connections) turned into one ModelError with its kind, whether a retry
// may help, and how long the API asked to wait. Split out of client.ts to keep it under the size limit.
import Anthropic from '@anthropic-ai/sdk';
import { ModelError, type ModelErrorKind } from './errors.js';
import type { Platform } from './client.js';

/** Carries what the attempt knew about the failure to the classifier. */
export class AttemptError extends Error {
  constructor(
    readonly original: unknown,
    readonly producedContent: boolean,
    readonly timedOut: boolean,
    /** Set when the attempt was abandoned for sending nothing this long. */
    readonly idleMs?: number,
  ) {
    super('attempt failed');
  }
}

export interface Failure {
  error: ModelError;
  retryAfterMs: number | undefined;
}

const RETRYABLE_STATUS = new Set([408, 409, 429]);
const TRANSIENT_KINDS = new Set<ModelErrorKind>(['rate_limit', 'overloaded', 'api', 'timeout', 'connection']);

function kindForStatus(status: number, apiType: string | undefined): ModelErrorKind {
  if (status === 529 || apiType === 'overloaded_error') return 'overloaded';
  if (status === 401) return 'authentication';
  if (status === 402 || status === 403) return 'permission';
  if (status === 404) return 'not_found';
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate_limit';
  if (status >= 500 || status === 409) return 'api';
  return 'invalid_request';
}

function kindForType(apiType: string | null | undefined): ModelErrorKind {
  switch (apiType) {
    case 'overloaded_error':
      return 'overloaded';
    case 'rate_limit_error':
      return 'rate_limit';
    case 'timeout_error':
      return 'timeout';
    case 'authentication_error':
      return 'authentication';
    case 'permission_error':
    case 'billing_error':
      return 'permission';
    case 'not_found_error':
      return 'not_found';
    case 'invalid_request_error':
    case 'request_too_large':
      return 'invalid_request';
    default:
      return 'api';
  }
}

const HINTS: Partial<Record<ModelErrorKind, string>> = { not_found: ' Check the model name.' };

export function classify(
  thrown: unknown,
  timeoutMs: number,
  scrub: (text: string) => string,
  platform: Pick<Platform, 'label' | 'hints'>,
): Failure {
  const { label } = platform;
  const attempt = thrown instanceof AttemptError ? thrown : new AttemptError(thrown, false, false);
  const error = attempt.original;
  if (error instanceof ModelError) return { error, retryAfterMs: undefined };

  if (
    attempt.idleMs !== undefined &&
    (error instanceof Anthropic.APIUserAbortError || !(error instanceof Anthropic.APIError))
  ) {
    return transient('timeout', `${label} sent nothing for ${seconds(attempt.idleMs)}.`);
  }
  if (error instanceof Anthropic.APIUserAbortError || (attempt.timedOut && !(error instanceof Anthropic.APIError))) {
    return transient('timeout', `${label} gave no complete response within ${seconds(timeoutMs)}.`);
  }
  if (error instanceof Anthropic.APIConnectionTimeoutError) {
    return transient('timeout', `${label} did not answer within ${seconds(timeoutMs)}.`);
  }
  if (error instanceof Anthropic.APIConnectionError) {
    return transient('connection', scrub(`Could not reach ${label.replace(/^The /, 'the ')}: ${causeChain(error)}.`));
  }
  if (error instanceof Anthropic.APIError) {
    const apiType = error.type ?? undefined;
    const apiMessage = error.apiMessage ?? undefined;
    const requestId = error.requestID ?? undefined;
    const suffix = requestId === undefined ? '' : ` (request id ${requestId})`;
    if (error.status === undefined) {
      // An `event: error` inside a 200 stream. Safe to repeat only while nothing was generated.
      const kind = kindForType(apiType);
      const retryable = !attempt.producedContent && TRANSIENT_KINDS.has(kind);
      const when = attempt.producedContent ? 'after the reply had started' : 'before the reply started';
      const message = scrub(
        `${label} stream failed ${when} (${apiType ?? 'error'}): ${apiMessage ?? error.message}${suffix}.`,
      );
      return {
        error: new ModelError(kind, message, { apiType, apiMessage, requestId, retryable }),
        retryAfterMs: undefined,
      };
    }
    // APIError's status and headers are generic (any) in the SDK's types; these are what it sets.
    const status = error.status as number;
    const headers = error.headers as Headers | undefined;
    const kind = kindForStatus(status, apiType);
    let retryable = RETRYABLE_STATUS.has(status) || status >= 500;
    // The API's own verdict on retrying beats our status table, as the SDK also does.
    const shouldRetry = headers?.get('x-should-retry');
    if (shouldRetry === 'true') retryable = true;
    if (shouldRetry === 'false') retryable = false;
    const statusLabel = apiType === undefined ? String(status) : `${status} ${apiType}`;
    const hint = retryable ? '' : (platform.hints?.[kind] ?? HINTS[kind] ?? '');
    // Without the API's error shape (Bedrock's {message}) the SDK's message starts with the status.
    const said = apiMessage ?? error.message.replace(/^\d{3}\s+/, '').replace(/\.$/, '');
    const message = scrub(`${label} returned ${statusLabel}: ${said}${suffix}.${hint}`);
    return {
      error: new ModelError(kind, message, { status, apiType, apiMessage, requestId, retryable }),
      retryAfterMs: retryable ? retryAfter(headers) : undefined,
    };
  }
  if (error instanceof Anthropic.AnthropicError || isTerminated(error)) {
    // The stream broke off without an error event (connection dropped mid-body).
    const message = scrub(`${label} stream broke off: ${error instanceof Error ? error.message : String(error)}.`);
    return {
      error: new ModelError('connection', message, { retryable: !attempt.producedContent }),
      retryAfterMs: undefined,
    };
  }
  throw error;
}

function transient(kind: ModelErrorKind, message: string): Failure {
  return { error: new ModelError(kind, message, { retryable: true }), retryAfterMs: undefined };
}

function isTerminated(error: unknown): boolean {
  return error instanceof TypeError && /terminated|fetch failed/i.test(error.message);
}

function causeChain(error: Error): string {
  const parts: string[] = [error.message];
  let cause: unknown = error.cause;
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++) {
    const code = (cause as NodeJS.ErrnoException).code;
    parts.push(code !== undefined && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message);
    cause = cause.cause;
  }
  return parts.filter((part) => part !== '').join(': ');
}

/** retry-after-ms (milliseconds) wins over retry-after (seconds or an HTTP date). */
function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms) {
    const value = Number.parseFloat(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = headers?.get('retry-after');
  if (after) {
    const value = Number.parseFloat(after);
    if (Number.isFinite(value) && value >= 0) return value * 1000;
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return Math.max(0, date - Date.now());
  }
  return undefined;
}

export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s >= 10 ? Math.round(s) : Number(s.toFixed(s >= 1 ? 1 : 2))} s`;
}
