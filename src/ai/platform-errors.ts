import { UserError } from '../shared/errors.js';
import { redact } from '../shared/redact.js';

/** The HTTP status an AWS SDK or google-auth-library error carries, if any. */
function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as {
    $metadata?: { httpStatusCode?: unknown };
    status?: unknown;
    response?: { status?: unknown };
  };
  const status = record.$metadata?.httpStatusCode ?? record.response?.status ?? record.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * One line for a credential exchange that failed (STS refused the role, the pool refused the
 * token, no credentials at all): which cloud, how we tried, what it said. Redacted: the
 * exchange's own error text may quote the tokens it was given.
 */
export function credentialFailure(cloud: string, source: string, error: unknown): UserError {
  if (error instanceof UserError) return error;
  const status = statusOf(error);
  const said = (error instanceof Error ? error.message : String(error)).split('\n')[0]?.trim() ?? '';
  const refused = status === 401 || status === 403 ? ' refused' : ' failed';
  return new UserError(
    redact(
      `Getting ${cloud} credentials from ${source}${refused}${status ? ` (${status})` : ''}: ${said || 'no detail'}.`,
    ),
  );
}
