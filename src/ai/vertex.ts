// Google Vertex AI: the AnthropicVertex client with a google-auth-library client, keyless through
// GitHub's OIDC token and Workload Identity Federation when a provider is given, else Application
// Default Credentials. Loaded only for provider: vertex.
import { AnthropicVertex } from '@anthropic-ai/vertex-sdk';
import { type AuthClient, GoogleAuth, IdentityPoolClient } from 'google-auth-library';
import type { Log } from '../io/io.js';
import { UserError } from '../shared/errors.js';
import type { Platform } from './client.js';
import { githubOidcToken, type OidcEndpoint } from './oidc.js';
import { credentialFailure } from './platform-errors.js';

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface VertexAccess {
  project?: string | undefined;
  region: string;
  /** projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER */
  workloadIdentityProvider?: string | undefined;
  serviceAccount?: string | undefined;
  /** Google STS and IAM Credentials endpoints (Private Service Connect, tests). */
  stsUrl?: string | undefined;
  iamCredentialsUrl?: string | undefined;
  baseUrl?: string | undefined;
  headers?: Record<string, string> | undefined;
  oidc?: OidcEndpoint | undefined;
}

/**
 * The external_account credential google-github-actions/auth writes, with the subject token
 * supplied by our OIDC request (so it is masked) instead of a URL the library fetches itself.
 */
function workloadIdentityClient(access: VertexAccess, provider: string, log: Log): AuthClient {
  const iam = access.iamCredentialsUrl ?? 'https://iamcredentials.googleapis.com';
  return new IdentityPoolClient({
    type: 'external_account',
    audience: `//iam.googleapis.com/${provider}`,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: access.stsUrl ?? 'https://sts.googleapis.com/v1/token',
    scopes: [SCOPE],
    ...(access.serviceAccount
      ? {
          service_account_impersonation_url: `${iam}/v1/projects/-/serviceAccounts/${access.serviceAccount}:generateAccessToken`,
        }
      : {}),
    subject_token_supplier: {
      getSubjectToken: () =>
        githubOidcToken(access.oidc, `https://iam.googleapis.com/${provider}`, 'gcp-workload-identity-provider', log),
    },
  });
}

async function authorize(access: VertexAccess, log: Log): Promise<{ client: AuthClient; token: string }> {
  const provider = access.workloadIdentityProvider;
  const source = provider
    ? `Workload Identity Federation with GitHub's OIDC token (input 'gcp-workload-identity-provider')`
    : 'Application Default Credentials (set gcp-workload-identity-provider, or run google-github-actions/auth first)';
  try {
    const client = provider
      ? workloadIdentityClient(access, provider, log)
      : // The project is known: without it the library asks Resource Manager for one.
        await new GoogleAuth({ scopes: SCOPE, ...(access.project ? { projectId: access.project } : {}) }).getClient();
    // Fetched now, not inside the first request: a refused exchange is one clear error, not five retries.
    const headers = await client.getRequestHeaders();
    const token = (headers.get('authorization') ?? '').replace(/^Bearer\s+/i, '');
    if (token) log.setSecret(token);
    return { client, token };
  } catch (error) {
    throw credentialFailure('Google Cloud', source, error);
  }
}

export function vertexPlatforms(access: VertexAccess, log: Log): () => Promise<Platform> {
  const project = access.project;
  if (!project) {
    throw new UserError(
      "provider: vertex needs a Google Cloud project: set input 'vertex-project' (or GOOGLE_CLOUD_PROJECT, as google-github-actions/auth does).",
    );
  }
  let cached: Promise<Platform> | undefined;
  return () => {
    // The auth client refreshes its own access token; one is made per run.
    cached ??= authorize(access, log).then(({ client, token }) => ({
      label: 'Google Vertex AI',
      secrets: token ? [token] : [],
      hints: {
        permission: ` The Google identity may not call this model in project ${project}: check roles/aiplatform.user and that the model is enabled in Model Garden for ${access.region}.`,
        not_found: ` Check the model id (Vertex takes ids such as claude-sonnet-4-5@20250929) and that it is offered in region ${access.region}.`,
      },
      connect: (fetch) =>
        new AnthropicVertex({
          projectId: project,
          region: access.region,
          authClient: client,
          maxRetries: 0,
          fetch,
          ...(access.baseUrl !== undefined ? { baseURL: access.baseUrl } : {}),
          ...(access.headers !== undefined ? { defaultHeaders: access.headers } : {}),
        }),
    }));
    cached.catch(() => {
      cached = undefined;
    });
    return cached;
  };
}
