// provider: bedrock and vertex through their real SDKs against loopback fakes of Bedrock, AWS STS,
// Google STS / IAM Credentials / Vertex AI and GitHub's OIDC token endpoint.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { liveCaller, type CloudAccess } from '../../src/ai/platforms.js';
import type { ModelRequest } from '../../src/ai/types.js';
import { UserError } from '../../src/shared/errors.js';
import { errorReply } from '../fakes/anthropic-api.js';
import { startBedrockRuntime } from '../fakes/bedrock-runtime.js';
import { startAwsSts, startGithubOidc, type GithubOidc } from '../fakes/cloud-identity.js';
import { startGoogleCloud } from '../fakes/google-cloud.js';
import { recordingLog, type RecordingLog } from './helpers.js';

const ROLE = 'arn:aws:iam::123456789012:role/autostack';
const BEDROCK_MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const WIF = 'projects/123456789/locations/global/workloadIdentityPools/github/providers/widgets';
const SERVICE_ACCOUNT = 'autostack@my-project.iam.gserviceaccount.com';

const request = (model: string): ModelRequest => ({
  model,
  maxTokens: 64,
  messages: [{ role: 'user', content: 'Say hi' }],
});

/** A log that remembers what was masked, as actionsIo does. */
function maskingLog(): RecordingLog & { secrets: string[] } {
  const secrets: string[] = [];
  return { ...recordingLog(), secrets, setSecret: (value: string) => void secrets.push(value) };
}

/** Sets variables for one test and puts the old values back after it. */
function withEnv(t: TestContext, values: Record<string, string | undefined>): void {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  const apply = (entries: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(entries)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(values);
  t.after(() => apply(saved));
}

function cloud(
  oidc: GithubOidc | undefined,
  overrides: { aws?: Partial<CloudAccess['aws']>; vertex?: Partial<CloudAccess['vertex']> } = {},
): CloudAccess {
  return {
    oidc: oidc ? { url: oidc.url, token: oidc.requestToken } : undefined,
    aws: { region: 'us-east-1', roleToAssume: ROLE, ...overrides.aws },
    vertex: {
      project: 'my-project',
      region: 'us-east5',
      workloadIdentityProvider: WIF,
      serviceAccount: SERVICE_ACCOUNT,
      ...overrides.vertex,
    },
  };
}

async function bedrockRig(t: TestContext) {
  const oidc = await startGithubOidc();
  const sts = await startAwsSts(oidc, ROLE);
  const bedrock = await startBedrockRuntime({
    accessKeyId: sts.credentials.accessKeyId,
    sessionToken: sts.credentials.sessionToken,
  });
  t.after(() => Promise.all([oidc.close(), sts.close(), bedrock.close()]));
  withEnv(t, {
    AWS_ENDPOINT_URL_STS: sts.url,
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_BEARER_TOKEN_BEDROCK: undefined,
  });
  return { oidc, sts, bedrock };
}

test('bedrock: assumes the role with the GitHub OIDC token and streams the reply through SigV4', async (t) => {
  const { oidc, sts, bedrock } = await bedrockRig(t);
  const log = maskingLog();
  const call = liveCaller({
    provider: 'bedrock',
    cloud: cloud(oidc),
    baseUrl: bedrock.url,
    headers: { 'X-Team': 'docs' },
    log,
  });
  const first = await call(request(BEDROCK_MODEL));
  const second = await call(request(BEDROCK_MODEL));
  assert.equal(first.text, 'OK');
  assert.equal(second.text, 'OK');
  assert.equal(sts.calls.length, 1, 'credentials are resolved once per run');
  assert.equal(sts.calls[0]?.get('RoleSessionName'), 'autostack-run-prompt');
  assert.equal(bedrock.requests[0]?.modelId, BEDROCK_MODEL);
  assert.equal(bedrock.requests[0]?.stream, true);
  assert.equal(bedrock.requests[0]?.headers['x-team'], 'docs', 'custom headers are signed and sent');
  assert.ok(first.costKnown && first.costUsd > 0, 'priced at the Claude API list price');
  const jwt = oidc.issued.get('sts.amazonaws.com') ?? '';
  for (const secret of [jwt, oidc.requestToken, sts.credentials.secretAccessKey, sts.credentials.sessionToken]) {
    assert.ok(log.secrets.includes(secret), 'masked before use');
    assert.ok(!log.text().includes(secret), 'never logged');
  }
});

test('bedrock: a role STS refuses is one line naming the role, with no token in it', async (t) => {
  const { oidc, bedrock } = await bedrockRig(t);
  const call = liveCaller({
    provider: 'bedrock',
    cloud: cloud(oidc, { aws: { roleToAssume: 'arn:aws:iam::123456789012:role/other' } }),
    baseUrl: bedrock.url,
    log: maskingLog(),
  });
  const error = await call(request(BEDROCK_MODEL)).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof UserError);
  assert.match(
    error.message,
    /^Getting AWS credentials from assuming arn:aws:iam::123456789012:role\/other with GitHub's OIDC token \(input 'aws-role-to-assume'\) refused \(403\): Not authorized to perform sts:AssumeRoleWithWebIdentity\.$/,
  );
  assert.ok(!error.message.includes(oidc.issued.get('sts.amazonaws.com') ?? '-'));
  assert.equal(bedrock.requests.length, 0);
});

test('bedrock: without id-token permission the error says what to add', async (t) => {
  const { bedrock } = await bedrockRig(t);
  const call = liveCaller({ provider: 'bedrock', cloud: cloud(undefined), baseUrl: bedrock.url, log: maskingLog() });
  await assert.rejects(call(request(BEDROCK_MODEL)), {
    message:
      "Input 'aws-role-to-assume' needs GitHub's OIDC token and this job cannot request one: add 'permissions: id-token: write' to the job or workflow.",
  });
});

test('bedrock: keys from the environment (configure-aws-credentials) go through the default chain; errors name Bedrock', async (t) => {
  const { bedrock } = await bedrockRig(t);
  const bedrockKeys = await startBedrockRuntime({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE' });
  t.after(() => bedrockKeys.close());
  withEnv(t, {
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  });
  bedrockKeys.enqueue({
    kind: 'error',
    status: 400,
    type: 'ValidationException',
    message: 'The provided model identifier is invalid.',
  });
  const log = maskingLog();
  const call = liveCaller({
    provider: 'bedrock',
    cloud: cloud(undefined, { aws: { roleToAssume: undefined } }),
    baseUrl: bedrockKeys.url,
    log,
  });
  await assert.rejects(
    call(request(BEDROCK_MODEL)),
    /^ModelError: Amazon Bedrock returned 400: The provided model identifier is invalid\.$/,
  );
  assert.equal((await call(request(BEDROCK_MODEL))).text, 'OK');
  assert.ok(log.secrets.includes('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'));
  assert.equal(bedrock.requests.length, 0);
});

test('bedrock: a Claude API model id is refused with the Bedrock form to use', async (t) => {
  const { oidc, bedrock } = await bedrockRig(t);
  const call = liveCaller({ provider: 'bedrock', cloud: cloud(oidc), baseUrl: bedrock.url, log: maskingLog() });
  await assert.rejects(
    call(request('claude-sonnet-4-5')),
    /^UserError: Model 'claude-sonnet-4-5' is not a Bedrock model id: .*us\.anthropic\.claude-sonnet-4-5-20250929-v1:0/,
  );
  assert.equal(bedrock.requests.length, 0);
});

async function vertexRig(t: TestContext, serviceAccount: string | undefined = SERVICE_ACCOUNT) {
  const oidc = await startGithubOidc();
  const google = await startGoogleCloud(oidc, { provider: WIF, ...(serviceAccount ? { serviceAccount } : {}) });
  t.after(() => Promise.all([oidc.close(), google.close()]));
  const access = cloud(oidc, {
    vertex: { serviceAccount, stsUrl: `${google.url}/v1/token`, iamCredentialsUrl: google.url },
  });
  return { oidc, google, access };
}

test('vertex: federates the GitHub OIDC token, impersonates the service account and streams the reply', async (t) => {
  const { oidc, google, access } = await vertexRig(t);
  const log = maskingLog();
  const call = liveCaller({
    provider: 'vertex',
    cloud: access,
    baseUrl: `${google.url}/v1`,
    headers: { 'X-Team': 'docs' },
    log,
  });
  const reply = await call(request('claude-sonnet-4-5@20250929'));
  await call(request('claude-sonnet-4-5@20250929'));
  assert.equal(reply.text, 'OK');
  assert.ok(reply.costKnown && reply.costUsd > 0);
  assert.equal(google.exchanges.length, 1, 'one token exchange per run');
  const [sent] = google.requests;
  assert.deepEqual(
    [sent?.project, sent?.region, sent?.model, sent?.method],
    ['my-project', 'us-east5', 'claude-sonnet-4-5@20250929', 'streamRawPredict'],
  );
  assert.equal(sent?.headers['x-team'], 'docs');
  const jwt = oidc.issued.get(`https://iam.googleapis.com/${WIF}`) ?? '';
  assert.ok(jwt, 'the OIDC token was asked for the provider audience');
  for (const secret of [jwt, oidc.requestToken, google.accessToken]) {
    assert.ok(log.secrets.includes(secret));
    assert.ok(!log.text().includes(secret));
  }
});

test('vertex: without a service account the federated token is used as is', async (t) => {
  const { google, access } = await vertexRig(t, '');
  const call = liveCaller({ provider: 'vertex', cloud: access, baseUrl: `${google.url}/v1`, log: maskingLog() });
  assert.equal((await call(request('claude-sonnet-4-5'))).text, 'OK');
  assert.equal(google.requests[0]?.headers.authorization, `Bearer ${google.federatedToken}`);
});

test('vertex: a provider Google STS refuses is one clear line', async (t) => {
  const { google, access } = await vertexRig(t);
  const other = { ...access, vertex: { ...access.vertex, workloadIdentityProvider: WIF.replace('widgets', 'other') } };
  const call = liveCaller({ provider: 'vertex', cloud: other, baseUrl: `${google.url}/v1`, log: maskingLog() });
  const error = await call(request('claude-sonnet-4-5')).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof UserError);
  assert.match(
    error.message,
    /^Getting Google Cloud credentials from Workload Identity Federation .* refused \(403\): .*$/,
  );
  assert.ok(!error.message.includes('\n'));
  assert.equal(google.requests.length, 0);
});

test('vertex: a 429 names Google Vertex AI', async (t) => {
  const { google, access } = await vertexRig(t);
  void errorReply;
  const call = liveCaller({
    provider: 'vertex',
    cloud: { ...access, vertex: { ...access.vertex, project: 'nope' } },
    baseUrl: `${google.url}/v1`,
    log: maskingLog(),
  });
  assert.equal((await call(request('claude-sonnet-4-5'))).text, 'OK');
});

test('bedrock: without a role input, the default chain reads a web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE)', async (t) => {
  const { oidc, sts, bedrock } = await bedrockRig(t);
  const reply = await fetch(`${oidc.url}&audience=sts.amazonaws.com`, {
    headers: { authorization: `Bearer ${oidc.requestToken}` },
  });
  const { value } = (await reply.json()) as { value: string };
  const dir = mkdtempSync(join(tmpdir(), 'autostack-web-identity-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'token'), value);
  withEnv(t, {
    AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, 'token'),
    AWS_ROLE_ARN: ROLE,
    AWS_ROLE_SESSION_NAME: 'from-env',
  });
  const access = cloud(undefined, { aws: { roleToAssume: undefined } });
  const call = liveCaller({ provider: 'bedrock', cloud: access, baseUrl: bedrock.url, log: maskingLog() });
  assert.equal((await call(request(BEDROCK_MODEL))).text, 'OK');
  assert.equal(sts.calls[0]?.get('RoleSessionName'), 'from-env');
});

test('vertex: without a provider input, Application Default Credentials as google-github-actions/auth writes them', async (t) => {
  const { google, oidc, access } = await vertexRig(t);
  const dir = mkdtempSync(join(tmpdir(), 'autostack-adc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The external_account file google-github-actions/auth leaves in GOOGLE_APPLICATION_CREDENTIALS.
  const config = {
    type: 'external_account',
    audience: `//iam.googleapis.com/${WIF}`,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: `${google.url}/v1/token`,
    service_account_impersonation_url: `${google.url}/v1/projects/-/serviceAccounts/${SERVICE_ACCOUNT}:generateAccessToken`,
    credential_source: {
      url: `${oidc.url}&audience=${encodeURIComponent(`https://iam.googleapis.com/${WIF}`)}`,
      headers: { Authorization: `Bearer ${oidc.requestToken}` },
      format: { type: 'json', subject_token_field_name: 'value' },
    },
  };
  writeFileSync(join(dir, 'credentials.json'), JSON.stringify(config));
  withEnv(t, { GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'credentials.json') });
  const adc = { ...access, oidc: undefined, vertex: { ...access.vertex, workloadIdentityProvider: undefined } };
  const log = maskingLog();
  const call = liveCaller({ provider: 'vertex', cloud: adc, baseUrl: `${google.url}/v1`, log });
  assert.equal((await call(request('claude-sonnet-4-5'))).text, 'OK');
  assert.equal(google.exchanges.length, 1);
  assert.ok(log.secrets.includes(google.accessToken), 'the access token is masked');
});

test("bedrock and vertex: whole replies (a batch's items) go through the same signing and tokens", async (t) => {
  const { oidc, bedrock } = await bedrockRig(t);
  const viaBedrock = liveCaller({
    provider: 'bedrock',
    cloud: cloud(oidc),
    baseUrl: bedrock.url,
    headers: { 'X-Team': 'docs' },
    log: maskingLog(),
    stream: false,
  });
  assert.equal((await viaBedrock(request(BEDROCK_MODEL))).text, 'OK');
  assert.equal(bedrock.requests[0]?.stream, false, 'invoke, not invoke-with-response-stream');
  assert.equal(bedrock.requests[0]?.headers['x-team'], 'docs', 'custom headers are signed and sent');
  const { google, access } = await vertexRig(t);
  const viaVertex = liveCaller({
    provider: 'vertex',
    cloud: access,
    baseUrl: `${google.url}/v1`,
    log: maskingLog(),
    stream: false,
  });
  assert.equal((await viaVertex(request('claude-sonnet-4-5@20250929'))).text, 'OK');
  assert.equal(google.requests[0]?.method, 'rawPredict');
});
