/**
 * Loopback fakes of the identity services keyless cloud auth goes through:
 *
 * - GitHub's OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL): GET ?audience=… with
 *   `Authorization: Bearer <request token>` → {"value": "<JWT for that audience>"}.
 * - AWS STS AssumeRoleWithWebIdentity in the query protocol the SDK speaks (form body, XML reply);
 *   the SDK reaches it through AWS_ENDPOINT_URL_STS.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function listen(
  handler: RequestListener,
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export interface GithubOidc extends LoopbackServer {
  /** The value for ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  readonly requestToken: string;
  /** Tokens issued, by audience. */
  readonly issued: Map<string, string>;
}

export async function startGithubOidc(): Promise<GithubOidc> {
  const requestToken = `oidc-request-${randomBytes(12).toString('hex')}`;
  const issued = new Map<string, string>();
  const { url, close } = await listen((req, res) => {
    const audience = new URL(req.url ?? '/', 'http://fake').searchParams.get('audience');
    if (req.headers.authorization !== `Bearer ${requestToken}` || !audience) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Bad credentials' }));
      return;
    }
    const claims = {
      iss: 'https://token.actions.githubusercontent.com',
      aud: audience,
      sub: 'repo:acme/widgets:ref:refs/heads/main',
      jti: randomBytes(8).toString('hex'),
    };
    const jwt = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}.${randomBytes(32).toString('base64url')}`;
    issued.set(audience, jwt);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ count: 1, value: jwt }));
  });
  return { url: `${url}/_apis/token?api-version=2.0`, requestToken, issued, close };
}

export interface AwsCredentialsIssued {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface AwsSts extends LoopbackServer {
  readonly credentials: AwsCredentialsIssued;
  /** Form fields of each AssumeRoleWithWebIdentity call. */
  readonly calls: URLSearchParams[];
}

/** STS that trusts `roleArn` for tokens GitHub issued for audience sts.amazonaws.com. */
export async function startAwsSts(oidc: GithubOidc, roleArn: string): Promise<AwsSts> {
  const credentials: AwsCredentialsIssued = {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(60).toString('base64')}`,
  };
  const calls: URLSearchParams[] = [];
  const { url, close } = await listen((req, res) => {
    void readBody(req).then((raw) => {
      const form = new URLSearchParams(raw);
      calls.push(form);
      const xml = (status: number, text: string): void => {
        res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': `sts-${calls.length}` });
        res.end(text);
      };
      const trusted =
        form.get('Action') === 'AssumeRoleWithWebIdentity' &&
        form.get('RoleArn') === roleArn &&
        form.get('WebIdentityToken') === oidc.issued.get('sts.amazonaws.com');
      if (!trusted) {
        xml(
          403,
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error><RequestId>sts-${calls.length}</RequestId></ErrorResponse>`,
        );
        return;
      }
      const expiration = new Date(Date.now() + 3600_000).toISOString();
      xml(
        200,
        `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>${credentials.accessKeyId}</AccessKeyId><SecretAccessKey>${credentials.secretAccessKey}</SecretAccessKey><SessionToken>${credentials.sessionToken}</SessionToken><Expiration>${expiration}</Expiration></Credentials><SubjectFromWebIdentityToken>repo:acme/widgets:ref:refs/heads/main</SubjectFromWebIdentityToken><AssumedRoleUser><Arn>${roleArn}/${form.get('RoleSessionName') ?? ''}</Arn><AssumedRoleId>AROAEXAMPLE:${form.get('RoleSessionName') ?? ''}</AssumedRoleId></AssumedRoleUser><Audience>sts.amazonaws.com</Audience><Provider>token.actions.githubusercontent.com</Provider></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>sts-${calls.length}</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
      );
    });
  });
  return { url, credentials, calls, close };
}
