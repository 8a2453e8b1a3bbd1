// run-prompt's inputs for Amazon Bedrock, Google Vertex AI and custom-headers: named as
// aws-actions/configure-aws-credentials and google-github-actions/auth name them, prefixed.
import type { CloudAccess } from '../ai/platforms.js';
import type { OidcEndpoint } from '../ai/oidc.js';
import { InputError } from '../shared/errors.js';
import { input } from '../shared/inputs.js';

export const cloudInputs = {
  'aws-region': input.optionalText(),
  'aws-role-to-assume': input.optionalText(),
  'aws-role-session-name': input.optionalText(),
  'vertex-project': input.optionalText(),
  'vertex-region': input.optionalText(),
  'gcp-workload-identity-provider': input.optionalText(),
  'gcp-service-account': input.optionalText(),
  'custom-headers': input.optionalText(),
};

type CloudInputs = { [K in keyof typeof cloudInputs]?: string | undefined };

/** The input's value when it matches, else one line saying what it should look like. */
function checked(name: string, value: string | undefined, pattern: RegExp, example: string): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (!pattern.test(trimmed)) throw new InputError(name, `is '${trimmed}', which is not ${example}`);
  return trimmed;
}

const REGION = /^[a-z0-9-]+$/;

/** Inputs first, then the environment the providers' own setup actions leave behind. */
export function cloudAccess(inputs: CloudInputs, env: NodeJS.ProcessEnv): CloudAccess {
  const oidc = oidcEndpoint(env);
  return {
    oidc,
    aws: {
      region: checked(
        'aws-region',
        inputs['aws-region'] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
        REGION,
        'an AWS region such as us-east-1',
      ),
      roleToAssume: checked(
        'aws-role-to-assume',
        inputs['aws-role-to-assume'],
        /^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/,
        'an IAM role ARN such as arn:aws:iam::123456789012:role/autostack',
      ),
      roleSessionName: checked(
        'aws-role-session-name',
        inputs['aws-role-session-name'],
        /^[\w+=,.@-]{2,64}$/,
        'a session name of 2 to 64 letters, digits and +=,.@_-',
      ),
      bearerToken: env.AWS_BEARER_TOKEN_BEDROCK || undefined,
    },
    vertex: {
      project: checked(
        'vertex-project',
        inputs['vertex-project'] ??
          env.ANTHROPIC_VERTEX_PROJECT_ID ??
          env.GOOGLE_CLOUD_PROJECT ??
          env.CLOUDSDK_CORE_PROJECT,
        /^[a-z][a-z0-9-:.]{3,}$/,
        'a Google Cloud project id such as my-project',
      ),
      region:
        checked(
          'vertex-region',
          inputs['vertex-region'] ?? env.CLOUD_ML_REGION,
          REGION,
          'a Vertex AI region such as us-east5 or global',
        ) ?? 'global',
      workloadIdentityProvider: checked(
        'gcp-workload-identity-provider',
        inputs['gcp-workload-identity-provider'],
        /^projects\/[^/\s]+\/locations\/global\/workloadIdentityPools\/[^/\s]+\/providers\/[^/\s]+$/,
        'a provider name such as projects/123456789/locations/global/workloadIdentityPools/github/providers/my-repo',
      ),
      serviceAccount: checked(
        'gcp-service-account',
        inputs['gcp-service-account'],
        /^[^@\s/]+@[^@\s/]+$/,
        'a service account email such as autostack@my-project.iam.gserviceaccount.com',
      ),
      // Private Service Connect endpoints, and the loopback fakes in tests.
      stsUrl: env.AUTOSTACK_GCP_STS_URL || undefined,
      iamCredentialsUrl: env.AUTOSTACK_GCP_IAM_CREDENTIALS_URL || undefined,
    },
  };
}

/**
 * The job's OIDC token service, when the workflow grants `id-token: write`. Read here rather than in
 * oidc.ts, so that module loads only for a cloud call.
 */
function oidcEndpoint(env: NodeJS.ProcessEnv): OidcEndpoint | undefined {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const token = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  return url && token ? { url, token } : undefined;
}
