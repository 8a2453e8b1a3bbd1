// provider: bedrock and vertex as the runner runs run-prompt (node dist/run-prompt/index.js), keyless
// through the job's OIDC token, against loopback fakes; secrets reach no file and no log line.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type AnthropicApi, startAnthropicApi } from '../fakes/anthropic-api.js';
import { type BedrockRuntime, startBedrockRuntime } from '../fakes/bedrock-runtime.js';
import { type AwsSts, type GithubOidc, startAwsSts, startGithubOidc } from '../fakes/cloud-identity.js';
import { type GoogleCloud, startGoogleCloud } from '../fakes/google-cloud.js';
import { Job, visibleLog, type StepResult } from '../harness/job.js';
import { failed, ok } from './step-assertions.js';

const ACTION = 'actions/run-prompt';
const ROLE = 'arn:aws:iam::123456789012:role/autostack';
const WIF = 'projects/123456789/locations/global/workloadIdentityPools/github/providers/widgets';
const SERVICE_ACCOUNT = 'autostack@my-project.iam.gserviceaccount.com';

/** Every file the job left (outputs, journal, records, response files), read as text. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'));
}

function assertNowhere(job: Job, result: StepResult, secrets: string[]): void {
  const log = visibleLog(result);
  const files = filesUnder(job.root);
  for (const secret of secrets) {
    assert.ok(secret.length > 8);
    assert.ok(result.stdout.includes(`::add-mask::${secret}`), 'masked for the runner');
    assert.ok(!log.includes(secret), 'not in the log');
    assert.ok(!files.some((text) => text.includes(secret)), 'not in any file the step wrote');
  }
}

describe('run-prompt on Amazon Bedrock and Google Vertex AI, keyless', () => {
  let oidc: GithubOidc;
  let sts: AwsSts;
  let bedrock: BedrockRuntime;
  let google: GoogleCloud;
  let anthropic: AnthropicApi;
  before(async () => {
    oidc = await startGithubOidc();
    sts = await startAwsSts(oidc, ROLE);
    bedrock = await startBedrockRuntime({
      accessKeyId: sts.credentials.accessKeyId,
      sessionToken: sts.credentials.sessionToken,
    });
    google = await startGoogleCloud(oidc, { provider: WIF, serviceAccount: SERVICE_ACCOUNT });
    anthropic = await startAnthropicApi();
  });
  after(() => Promise.all([oidc.close(), sts.close(), bedrock.close(), google.close(), anthropic.close()]));

  const job = (withOidc = true): Job =>
    new Job({
      env: {
        ...(withOidc
          ? { ACTIONS_ID_TOKEN_REQUEST_URL: oidc.url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: oidc.requestToken }
          : {}),
        AWS_ENDPOINT_URL_STS: sts.url,
        ANTHROPIC_BEDROCK_BASE_URL: bedrock.url,
        ANTHROPIC_VERTEX_BASE_URL: `${google.url}/v1`,
        AUTOSTACK_GCP_STS_URL: `${google.url}/v1/token`,
        AUTOSTACK_GCP_IAM_CREDENTIALS_URL: google.url,
      },
    });

  const bedrockInputs = {
    provider: 'bedrock',
    'aws-region': 'us-east-1',
    'aws-role-to-assume': ROLE,
    model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    prompt: 'Say hi',
    cache: 'false',
  };

  test('bedrock: the role is assumed with the OIDC token and the reply comes back through the event stream', async () => {
    bedrock.enqueue({ kind: 'message', content: [{ type: 'text', text: 'Hello from Bedrock.' }] });
    const step = job();
    const result = await step.uses(ACTION, { ...bedrockInputs, 'custom-headers': 'X-Team: docs-team-42' });
    ok(result);
    assert.equal(result.outputs.text, 'Hello from Bedrock.');
    assert.equal(result.outputs.model, 'us.anthropic.claude-sonnet-4-5-20250929-v1:0');
    assert.ok(Number(result.outputs['cost-usd']) > 0, 'list price');
    assert.equal(bedrock.requests.at(-1)?.headers['x-team'], 'docs-team-42');
    assertNowhere(step, result, [
      oidc.requestToken,
      oidc.issued.get('sts.amazonaws.com') ?? '',
      sts.credentials.secretAccessKey,
      sts.credentials.sessionToken,
      'docs-team-42',
    ]);
  });

  test('bedrock: a role STS refuses fails on one line', async () => {
    const result = await job().uses(ACTION, {
      ...bedrockInputs,
      'aws-role-to-assume': 'arn:aws:iam::123456789012:role/other',
    });
    assert.match(
      failed(result),
      /^Getting AWS credentials from assuming arn:aws:iam::123456789012:role\/other .* refused \(403\): Not authorized to perform sts:AssumeRoleWithWebIdentity\.$/,
    );
  });

  test('bedrock: a job without id-token: write is told to add it', async () => {
    const result = await job(false).uses(ACTION, bedrockInputs);
    assert.match(failed(result), /add 'permissions: id-token: write' to the job or workflow/);
  });

  test('vertex: the OIDC token is federated, the service account impersonated, the reply streamed', async () => {
    google.enqueue({ kind: 'message', content: [{ type: 'text', text: 'Hello from Vertex.' }] });
    const step = job();
    const result = await step.uses(ACTION, {
      provider: 'vertex',
      'vertex-project': 'my-project',
      'vertex-region': 'us-east5',
      'gcp-workload-identity-provider': WIF,
      'gcp-service-account': SERVICE_ACCOUNT,
      model: 'claude-sonnet-4-5@20250929',
      prompt: 'Say hi',
      cache: 'false',
    });
    ok(result);
    assert.equal(result.outputs.text, 'Hello from Vertex.');
    assert.equal(google.requests.at(-1)?.model, 'claude-sonnet-4-5@20250929');
    assertNowhere(step, result, [
      oidc.requestToken,
      oidc.issued.get(`https://iam.googleapis.com/${WIF}`) ?? '',
      google.accessToken,
    ]);
  });

  test('custom-headers: sent to the Anthropic API; auth headers refused on one line', async () => {
    const step = new Job({ env: { ANTHROPIC_API_KEY: 'sk-ant-clouds-0123456789', ANTHROPIC_BASE_URL: anthropic.url } });
    ok(await step.uses(ACTION, { prompt: 'Hi', cache: 'false', 'custom-headers': '{"X-Request-Source": "nightly"}' }));
    assert.equal(anthropic.requests.at(-1)?.headers['x-request-source'], 'nightly');
    const refused = await step.uses(ACTION, { prompt: 'Hi', 'custom-headers': 'Authorization: Bearer abc' });
    assert.match(
      failed(refused),
      /^Input 'custom-headers' may not set 'Authorization': it carries the anthropic credentials/,
    );
  });
});
