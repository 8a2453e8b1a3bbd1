import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { cloudAccess } from '../../src/actions/run-prompt-cloud-inputs.js';
import { parseCustomHeaders } from '../../src/actions/run-prompt-inputs.js';
import { loadSchemaEngine } from '../../src/prompts/engine.js';

// The inputs are read synchronously; text outside the light YAML reader's subset needs `yaml` loaded.
before(loadSchemaEngine);

test('custom-headers: a YAML or JSON mapping; values become strings', () => {
  assert.deepEqual(parseCustomHeaders('X-Team: docs\nX-Priority: 2', 'vertex'), {
    'X-Team': 'docs',
    'X-Priority': '2',
  });
  assert.deepEqual(parseCustomHeaders('{"X-Team": "docs"}', 'anthropic'), { 'X-Team': 'docs' });
  assert.equal(parseCustomHeaders('  ', 'anthropic'), undefined);
});

test('custom-headers: auth headers, bad names and non-mappings are one line naming the input', () => {
  assert.throws(() => parseCustomHeaders('x-api-key: sk-ant-nope', 'anthropic'), {
    message:
      "Input 'custom-headers' may not set 'x-api-key': it carries the anthropic credentials; pass them through the provider's own inputs instead",
  });
  assert.throws(() => parseCustomHeaders('AUTHORIZATION: Bearer x', 'vertex'), /may not set 'AUTHORIZATION'/);
  assert.throws(
    () => parseCustomHeaders('"bad header": x', 'bedrock'),
    /names 'bad header', which is not a valid HTTP header name/,
  );
  assert.throws(
    () => parseCustomHeaders('- a\n- b', 'anthropic'),
    /^InputError: Input 'custom-headers' must be a YAML or JSON mapping/,
  );
});

test('cloud inputs: inputs win over the environment the setup actions leave; bad values are refused', () => {
  const env = { AWS_REGION: 'eu-west-1', GOOGLE_CLOUD_PROJECT: 'env-project', CLOUD_ML_REGION: 'europe-west1' };
  const fromEnv = cloudAccess({}, env);
  assert.equal(fromEnv.aws.region, 'eu-west-1');
  assert.equal(fromEnv.vertex.project, 'env-project');
  assert.equal(fromEnv.vertex.region, 'europe-west1');
  assert.equal(fromEnv.oidc, undefined);
  assert.equal(cloudAccess({ 'aws-region': 'us-west-2' }, env).aws.region, 'us-west-2');
  assert.equal(cloudAccess({}, {}).vertex.region, 'global');
  assert.throws(() => cloudAccess({ 'aws-role-to-assume': 'autostack' }, {}), {
    message:
      "Input 'aws-role-to-assume' is 'autostack', which is not an IAM role ARN such as arn:aws:iam::123456789012:role/autostack",
  });
  assert.throws(
    () => cloudAccess({ 'gcp-workload-identity-provider': 'github/my-repo' }, {}),
    /^InputError: Input 'gcp-workload-identity-provider' is 'github\/my-repo', which is not a provider name such as projects\//,
  );
});
