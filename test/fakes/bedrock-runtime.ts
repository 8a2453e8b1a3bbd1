/**
 * Loopback fake of the Amazon Bedrock runtime's Anthropic endpoints, for tests that drive the real
 * `@anthropic-ai/bedrock-sdk` client through its `baseURL` option:
 *
 *   POST /model/{modelId}/invoke-with-response-stream  → application/vnd.amazon.eventstream frames,
 *        one `chunk` event per Messages SSE event, payload {"bytes": base64(event JSON)}
 *   POST /model/{modelId}/invoke                        → the Message as JSON
 *
 * Every request must carry a SigV4 Authorization header for service `bedrock` signed with the
 * expected access key id (and the session token, when one is expected); otherwise 403 as Bedrock
 * answers. The Messages events are the Anthropic fake's (messageEvents), not a second encoding.
 */
import type { ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import {
  type FakeMessageReply,
  type MessagesRequestBody,
  messageEvents,
  resolveMessage,
  textReply,
} from './anthropic-api.js';
import { listen, readBody } from './cloud-identity.js';

export interface BedrockRequest {
  modelId: string;
  stream: boolean;
  headers: Record<string, string>;
  body: MessagesRequestBody;
}

export type BedrockReply = FakeMessageReply | { kind: 'error'; status: number; type: string; message: string };

export interface BedrockRuntime {
  readonly url: string;
  readonly requests: BedrockRequest[];
  enqueue(...replies: BedrockReply[]): void;
  close(): Promise<void>;
}

/** One header of an event-stream message: string-typed (7), as Bedrock sends them. */
function header(name: string, value: string): Buffer {
  const nameBytes = Buffer.from(name, 'utf8');
  const valueBytes = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(valueBytes.length);
  return Buffer.concat([Buffer.from([nameBytes.length]), nameBytes, Buffer.from([7]), length, valueBytes]);
}

/** An application/vnd.amazon.eventstream message: prelude (lengths + CRC32), headers, payload, CRC32. */
export function eventStreamMessage(headers: Record<string, string>, payload: Buffer): Buffer {
  const headerBytes = Buffer.concat(Object.entries(headers).map(([name, value]) => header(name, value)));
  const total = 12 + headerBytes.length + payload.length + 4;
  const prelude = Buffer.alloc(8);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(headerBytes.length, 4);
  const preludeCrc = Buffer.alloc(4);
  preludeCrc.writeUInt32BE(crc32(prelude));
  const body = Buffer.concat([prelude, preludeCrc, headerBytes, payload]);
  const messageCrc = Buffer.alloc(4);
  messageCrc.writeUInt32BE(crc32(body));
  return Buffer.concat([body, messageCrc]);
}

function chunkFrame(event: unknown): Buffer {
  const bytes = Buffer.from(JSON.stringify(event), 'utf8').toString('base64');
  return eventStreamMessage(
    { ':event-type': 'chunk', ':content-type': 'application/json', ':message-type': 'event' },
    Buffer.from(JSON.stringify({ bytes }), 'utf8'),
  );
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}

/** Checks the SigV4 header the way Bedrock rejects a missing or foreign one (not the signature itself). */
function authProblem(
  headers: Record<string, string>,
  accessKeyId: string,
  sessionToken: string | undefined,
): string | undefined {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([a-z0-9-]+)\/bedrock\/aws4_request, SignedHeaders=([^,]+), Signature=[0-9a-f]{64}$/.exec(
      headers.authorization ?? '',
    );
  if (!match) return 'Missing Authentication Token';
  if (match[1] !== accessKeyId) return 'The security token included in the request is invalid.';
  if (!match[3]?.split(';').includes('x-amz-date')) return 'x-amz-date is not signed';
  if (sessionToken !== undefined && headers['x-amz-security-token'] !== sessionToken)
    return 'The security token included in the request is invalid.';
  return undefined;
}

export async function startBedrockRuntime(expect: {
  accessKeyId: string;
  sessionToken?: string;
}): Promise<BedrockRuntime> {
  const requests: BedrockRequest[] = [];
  const queue: BedrockReply[] = [];
  const { url, close } = await listen((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [
          name,
          Array.isArray(value) ? value.join(', ') : (value ?? ''),
        ]),
      );
      const route = /^\/model\/([^/]+)\/(invoke|invoke-with-response-stream)$/.exec(
        (req.url ?? '').split('?')[0] ?? '',
      );
      if (req.method !== 'POST' || !route)
        return sendJson(res, 404, { message: `Not found: ${req.method} ${req.url}` });
      const problem = authProblem(headers, expect.accessKeyId, expect.sessionToken);
      if (problem)
        return sendJson(res, 403, { message: problem }, { 'x-amzn-errortype': 'UnrecognizedClientException' });
      const modelId = decodeURIComponent(route[1] ?? '');
      const body = JSON.parse(raw) as MessagesRequestBody;
      const stream = route[2] === 'invoke-with-response-stream';
      requests.push({ modelId, stream, headers, body });
      if (typeof body.anthropic_version !== 'string' || Object.hasOwn(body, 'model'))
        return sendJson(res, 400, { message: 'anthropic_version is required in the body; model belongs in the path' });
      const reply = queue.shift() ?? textReply('OK');
      const requestId = `bedrock-${requests.length}`;
      if (reply.kind === 'error') {
        return sendJson(
          res,
          reply.status,
          { message: reply.message },
          { 'x-amzn-errortype': reply.type, 'x-amzn-requestid': requestId },
        );
      }
      const msg = resolveMessage({ ...reply, model: reply.model ?? modelId }, { ...body, model: modelId });
      if (!stream) return sendJson(res, 200, msg, { 'x-amzn-requestid': requestId });
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': requestId });
      for (const { data } of messageEvents(msg, reply.chunkSize ?? 8)) res.write(chunkFrame(data));
      res.end();
    })().catch((error: unknown) => sendJson(res, 500, { message: String(error) }));
  });
  return {
    url,
    requests,
    enqueue: (...replies) => void queue.push(...replies),
    close,
  };
}
