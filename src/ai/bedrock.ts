// Amazon Bedrock: the AnthropicBedrock client, signed with credentials from the AWS SDK's own
// providers (keyless through GitHub's OIDC token when a role is given). Loaded only for
// provider: bedrock, so other paths never pay for the AWS SDK.
import { AnthropicBedrock } from '@anthropic-ai/bedrock-sdk';
import { createCredentialChain, fromEnv, fromNodeProviderChain, fromWebToken } from '@aws-sdk/credential-providers';
import type { Log } from '../io/io.js';
import { UserError } from '../shared/errors.js';
import type { Platform } from './client.js';
import { githubOidcToken, type OidcEndpoint } from './oidc.js';
import { credentialFailure } from './platform-errors.js';

export interface BedrockAccess {
  region?: string | undefined;
  /** IAM role assumed with GitHub's OIDC token (AssumeRoleWithWebIdentity). */
  roleToAssume?: string | undefined;
  roleSessionName?: string | undefined;
  /** A Bedrock API key (AWS_BEARER_TOKEN_BEDROCK): used instead of SigV4 when set. */
  bearerToken?: string | undefined;
  baseUrl?: string | undefined;
  headers?: Record<string, string> | undefined;
  oidc?: OidcEndpoint | undefined;
}

interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  expiration?: Date | undefined;
}

async function resolveCredentials(access: BedrockAccess, region: string, log: Log): Promise<AwsCredentials> {
  let provider: () => Promise<AwsCredentials>;
  let source: string;
  if (access.roleToAssume) {
    const webIdentityToken = await githubOidcToken(access.oidc, 'sts.amazonaws.com', 'aws-role-to-assume', log);
    // The provider the default chain uses for AWS_WEB_IDENTITY_TOKEN_FILE, given the token
    // directly so it never touches the disk.
    provider = fromWebToken({
      roleArn: access.roleToAssume,
      webIdentityToken,
      roleSessionName: access.roleSessionName ?? 'autostack-run-prompt',
      clientConfig: { region },
    });
    source = `assuming ${access.roleToAssume} with GitHub's OIDC token (input 'aws-role-to-assume')`;
  } else {
    // The chain AnthropicBedrock itself uses: env keys (configure-aws-credentials), then profiles,
    // web identity files, container and instance roles.
    provider = createCredentialChain(fromEnv(), fromNodeProviderChain());
    source =
      'the AWS default credential chain (set aws-role-to-assume, or run aws-actions/configure-aws-credentials first)';
  }
  try {
    const credentials = await provider();
    log.setSecret(credentials.secretAccessKey);
    if (credentials.sessionToken) log.setSecret(credentials.sessionToken);
    return credentials;
  } catch (error) {
    throw credentialFailure('AWS', source, error);
  }
}

/** Resolves credentials once, again only when they are about to expire. */
export function bedrockPlatforms(access: BedrockAccess, log: Log): () => Promise<Platform> {
  const region = access.region;
  if (!region) {
    throw new UserError(
      "provider: bedrock needs a region: set input 'aws-region' (or AWS_REGION, as aws-actions/configure-aws-credentials does).",
    );
  }
  let cached: { platform: Platform; expiresAt: number } | undefined;
  return async () => {
    if (cached && cached.expiresAt - Date.now() > 5 * 60_000) return cached.platform;
    if (access.bearerToken) log.setSecret(access.bearerToken);
    const credentials = access.bearerToken ? undefined : await resolveCredentials(access, region, log);
    const secrets = [access.bearerToken, credentials?.secretAccessKey, credentials?.sessionToken];
    const platform: Platform = {
      label: 'Amazon Bedrock',
      secrets: secrets.filter((value): value is string => Boolean(value)),
      hints: {
        permission: ` The AWS identity may not invoke this model in ${region}: check its IAM policy (bedrock:InvokeModelWithResponseStream) and the model's access in the Bedrock console.`,
        not_found: ` Check the model id: Bedrock takes ids such as anthropic.claude-sonnet-4-5-20250929-v1:0 or inference profiles such as us.anthropic.claude-sonnet-4-5-20250929-v1:0 in ${region}.`,
      },
      connect: (fetch) => {
        const common = {
          awsRegion: region,
          maxRetries: 0,
          fetch,
          ...(access.baseUrl !== undefined ? { baseURL: access.baseUrl } : {}),
          ...(access.headers !== undefined ? { defaultHeaders: access.headers } : {}),
        };
        if (credentials === undefined) return new AnthropicBedrock({ ...common, apiKey: access.bearerToken ?? null });
        return new AnthropicBedrock({
          ...common,
          apiKey: null,
          awsAccessKey: credentials.accessKeyId,
          awsSecretKey: credentials.secretAccessKey,
          awsSessionToken: credentials.sessionToken ?? null,
        });
      },
    };
    cached = { platform, expiresAt: credentials?.expiration?.getTime() ?? Number.POSITIVE_INFINITY };
    return platform;
  };
}
