// GitHub's OIDC token for keyless cloud auth (Bedrock through AWS STS, Vertex through Google STS).
import type { Log } from '../io/io.js';
import { UserError } from '../shared/errors.js';

/** Where the runner serves the job's OIDC token; present only with `permissions: id-token: write`. */
export interface OidcEndpoint {
  url: string;
  token: string;
}

/** The token service's reply, `{"value": "<token>"}`; checked by hand, as zod is not on the start path. */
function tokenOf(body: unknown): string | undefined {
  const value = typeof body === 'object' && body !== null ? (body as { value?: unknown }).value : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * A fresh OIDC token for `audience`, masked before anything can print it. `input` names the
 * input that asked for keyless auth, so a job without the permission is told what to add.
 */
export async function githubOidcToken(
  endpoint: OidcEndpoint | undefined,
  audience: string,
  input: string,
  log: Pick<Log, 'setSecret'>,
): Promise<string> {
  if (endpoint === undefined) {
    throw new UserError(
      `Input '${input}' needs GitHub's OIDC token and this job cannot request one: add 'permissions: id-token: write' to the job or workflow.`,
    );
  }
  log.setSecret(endpoint.token);
  const url = new URL(endpoint.url);
  url.searchParams.set('audience', audience);
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${endpoint.token}`, accept: 'application/json' } });
  } catch (error) {
    throw new UserError(`Could not reach GitHub's OIDC token service: ${(error as Error).message}.`);
  }
  const body: unknown = await response.json().catch(() => undefined);
  const token = tokenOf(body);
  if (!response.ok || token === undefined) {
    throw new UserError(
      `GitHub's OIDC token service answered ${response.status} without a token (audience ${audience}); check the job's 'permissions: id-token: write'.`,
    );
  }
  log.setSecret(token);
  return token;
}
