import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunPromptSpec } from '../ai/run-prompt.js';
import { PROVIDERS, type Provider } from '../ai/run-prompt-options.js';
import type { GitHubContext } from '../io/github-context.js';
import type { Ports } from '../ports/ports.js';
import { InputError } from '../shared/errors.js';
import { cloudAccess } from './run-prompt-cloud-inputs.js';

// Apart from run-prompt-inputs.ts (the YAML inputs, the schema input, batch files) so that
// promote-prompt, which shares only this, starts without loading `yaml` or the prompt readers.

/** Where each provider's SDK reads a base URL override from the environment. */
const BASE_URL_VARIABLE: Record<Provider, string> = {
  anthropic: 'ANTHROPIC_BASE_URL',
  bedrock: 'ANTHROPIC_BEDROCK_BASE_URL',
  vertex: 'ANTHROPIC_VERTEX_BASE_URL',
  replay: 'ANTHROPIC_BASE_URL',
};

function isProvider(value: string): value is Provider {
  return (PROVIDERS as readonly string[]).includes(value);
}

/** Where full replies are written. */
export function responseDirectory(env: NodeJS.ProcessEnv): string {
  return join(env.RUNNER_TEMP ?? tmpdir(), 'autostack', 'responses');
}

/**
 * How run-prompt and promote-prompt reach the model and GitHub: each input, else its
 * environment variable. The provider input, when given, beats AUTOSTACK_PROVIDER; a bad
 * AUTOSTACK_PROVIDER is an error either way. `customHeaders` reads run-prompt's custom-headers
 * input (YAML) for the chosen provider; promote-prompt has no such input.
 */
export function modelAccess(
  read: (name: string) => string | undefined,
  inputs: {
    provider: Provider;
    'anthropic-api-key'?: string | undefined;
    'base-url'?: string | undefined;
    'github-token'?: string | undefined;
    recordings?: string | undefined;
  } & Parameters<typeof cloudAccess>[0],
  context: { env: NodeJS.ProcessEnv; github: GitHubContext; workspace: string; ports: Ports },
  customHeadersFor: (provider: Provider) => Record<string, string> | undefined = () => undefined,
) {
  const { env } = context;
  const providerFromEnv = env.AUTOSTACK_PROVIDER;
  let defaultProvider: Provider = 'anthropic';
  if (providerFromEnv) {
    if (!isProvider(providerFromEnv))
      throw new InputError(
        'provider',
        `(from AUTOSTACK_PROVIDER) must be one of ${PROVIDERS.join(', ')} (got '${providerFromEnv}')`,
      );
    defaultProvider = providerFromEnv;
  }
  const apiKey = inputs['anthropic-api-key'] ?? env.ANTHROPIC_API_KEY;
  const githubToken = inputs['github-token'] ?? env.GITHUB_TOKEN;
  const { repository, apiUrl } = context.github;
  // The part of RunPromptSpec that says how to reach the model: promote-prompt's eval runs use it too.
  const provider = read('provider')?.trim() ? inputs.provider : defaultProvider;
  const cloud = cloudAccess(inputs, env);
  const customHeaders = customHeadersFor(provider);
  const access = {
    provider,
    apiKey,
    baseUrl: inputs['base-url'] ?? env[BASE_URL_VARIABLE[provider]],
    cloud,
    customHeaders,
    github: githubToken && repository ? { token: githubToken, repository, apiUrl } : undefined,
    recordingsPath: inputs.recordings,
    workspace: context.workspace,
    responseDirectory: responseDirectory(env),
    ports: context.ports,
  } satisfies Partial<RunPromptSpec>;
  /** For masking: never to be printed again. */
  const secrets = [
    apiKey,
    githubToken,
    cloud.aws.bearerToken,
    cloud.oidc?.token,
    ...Object.values(customHeaders ?? {}),
  ].filter((value): value is string => Boolean(value));
  return { access, secrets };
}
