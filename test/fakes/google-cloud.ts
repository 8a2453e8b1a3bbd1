/**
 * Loopback fake of the Google endpoints provider: vertex goes through, on one server:
 *
 * - STS token exchange, POST /v1/token (form): a GitHub OIDC token for the workload identity
 *   provider's audience → a federated access token.
 * - IAM Credentials, POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken with the
 *   federated token → the service account's access token.
 * - Vertex AI, POST /v1/projects/{p}/locations/{r}/publishers/anthropic/models/{model}:streamRawPredict
 *   (SSE, encoded by the Anthropic fake) or :rawPredict (JSON), with the final token as Bearer.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  type FakeErrorReply,
  type FakeMessageReply,
  type MessagesRequestBody,
  resolveMessage,
  textReply,
  writeStreamedMessage,
} from './anthropic-api.js';
import { type GithubOidc, listen, type LoopbackServer, readBody } from './cloud-identity.js';

export interface VertexRequest {
  project: string;
  region: string;
  model: string;
  method: string;
  headers: Record<string, string | string[] | undefined>;
  body: MessagesRequestBody;
}

export interface GoogleCloud extends LoopbackServer {
  /** The token Vertex accepts: the service account's, or the federated one without impersonation. */
  readonly accessToken: string;
  readonly federatedToken: string;
  readonly requests: VertexRequest[];
  readonly exchanges: URLSearchParams[];
  enqueue(...replies: (FakeMessageReply | FakeErrorReply)[]): void;
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

export async function startGoogleCloud(
  oidc: GithubOidc,
  options: { provider: string; serviceAccount?: string },
): Promise<GoogleCloud> {
  const federatedToken = `ya29.federated-${randomBytes(16).toString('hex')}`;
  const saToken = `ya29.sa-${randomBytes(16).toString('hex')}`;
  const accessToken = options.serviceAccount ? saToken : federatedToken;
  const requests: VertexRequest[] = [];
  const exchanges: URLSearchParams[] = [];
  const queue: (FakeMessageReply | FakeErrorReply)[] = [];
  const route =
    /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/anthropic\/models\/([^/:]+):(streamRawPredict|rawPredict)$/;
  const handle = async (
    raw: string,
    method: string,
    path: string,
    headers: VertexRequest['headers'],
    res: ServerResponse,
  ): Promise<void> => {
    if (method === 'POST' && path === '/v1/token') {
      const form = new URLSearchParams(raw);
      exchanges.push(form);
      const githubToken = oidc.issued.get(`https://iam.googleapis.com/${options.provider}`);
      if (
        form.get('audience') !== `//iam.googleapis.com/${options.provider}` ||
        form.get('subject_token') !== githubToken
      )
        return json(res, 403, { error: 'access_denied', error_description: 'The caller does not have permission' });
      return json(res, 200, {
        access_token: federatedToken,
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        token_type: 'Bearer',
        expires_in: 3600,
      });
    }
    if (method === 'POST' && path === `/v1/projects/-/serviceAccounts/${options.serviceAccount}:generateAccessToken`) {
      if (headers.authorization !== `Bearer ${federatedToken}`)
        return json(res, 403, {
          error: {
            code: 403,
            message: 'Permission iam.serviceAccounts.getAccessToken denied',
            status: 'PERMISSION_DENIED',
          },
        });
      return json(res, 200, { accessToken: saToken, expireTime: new Date(Date.now() + 3600_000).toISOString() });
    }
    const match = route.exec(path);
    if (method !== 'POST' || !match)
      return json(res, 404, { error: { code: 404, message: `Not found: ${path}`, status: 'NOT_FOUND' } });
    const body = JSON.parse(raw) as MessagesRequestBody;
    const [, project = '', region = '', model = '', verb] = match;
    requests.push({ project, region, model: decodeURIComponent(model), method: verb ?? '', headers, body });
    if (headers.authorization !== `Bearer ${accessToken}`)
      return json(res, 401, {
        error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' },
      });
    if (body.anthropic_version !== 'vertex-2023-10-16' && typeof body.anthropic_version !== 'string')
      return json(res, 400, {
        type: 'error',
        error: { type: 'invalid_request_error', message: 'anthropic_version: Field required' },
      });
    const reply = queue.shift() ?? textReply('OK');
    if (reply.kind === 'error')
      return json(res, reply.status, { type: 'error', error: { type: reply.type, message: reply.message } });
    const msg = resolveMessage(reply, { ...body, model: decodeURIComponent(model) });
    if (verb === 'streamRawPredict' && body.stream === true)
      return writeStreamedMessage(res, msg, `vertex-${requests.length}`, {}, reply.chunkSize ?? 8);
    return json(res, 200, msg);
  };
  const { url, close } = await listen((req, res) => {
    void readBody(req)
      .then((raw) => handle(raw, req.method ?? 'GET', (req.url ?? '/').split('?')[0] ?? '/', req.headers, res))
      .catch((error: unknown) => json(res, 500, { error: { message: String(error) } }));
  });
  return {
    url,
    accessToken,
    federatedToken,
    requests,
    exchanges,
    enqueue: (...replies) => void queue.push(...replies),
    close,
  };
}
