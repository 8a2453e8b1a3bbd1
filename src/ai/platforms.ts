// The live model caller for each provider: the same callModel loop over the Anthropic API,
// Amazon Bedrock or Google Vertex AI. Each cloud's SDK is imported only when it is used.
import type { Log } from '../io/io.js';
import { UserError } from '../shared/errors.js';
import type { BedrockAccess } from './bedrock.js';
import type * as ClientModule from './client.js';
import type { Platform } from './client.js';
import type { ModelCaller } from './provider.js';
import type { CallPacer } from './types.js';
import type { VertexAccess } from './vertex.js';

export interface CloudAccess {
  aws: Omit<BedrockAccess, 'baseUrl' | 'headers' | 'oidc'>;
  vertex: Omit<VertexAccess, 'baseUrl' | 'headers' | 'oidc'>;
  oidc?: BedrockAccess['oidc'];
}

export interface LiveCallerOptions {
  provider: 'anthropic' | 'bedrock' | 'vertex';
  apiKey?: string | undefined;
  baseUrl?: string | undefined;
  headers?: Record<string, string> | undefined;
  cloud?: CloudAccess | undefined;
  deadlineMs?: number | undefined;
  idleTimeoutMs?: number | undefined;
  /** Shared by the calls of a batch (batch-pool.ts). */
  pacer?: CallPacer | undefined;
  /** false: each reply as one JSON body (a batch's items; client.ts CallOptions.stream). */
  stream?: boolean | undefined;
  log: Log;
}

/** Bedrock and Vertex: the platform (credentials resolved) for the next call. */
async function cloudPlatforms(options: LiveCallerOptions): Promise<() => Promise<Platform>> {
  const { cloud, log } = options;
  if (cloud === undefined) throw new UserError(`provider: ${options.provider} was given no cloud settings.`);
  const shared = { baseUrl: options.baseUrl, headers: options.headers, oidc: cloud.oidc };
  if (options.provider === 'bedrock') {
    return (await import('./bedrock.js')).bedrockPlatforms({ ...cloud.aws, ...shared }, log);
  }
  return (await import('./vertex.js')).vertexPlatforms({ ...cloud.vertex, ...shared }, log);
}

/** Bedrock model ids, inference profiles (`us.`, `eu.`, `global.` …) and ARNs: what Bedrock accepts. */
export function isBedrockModelId(model: string): boolean {
  return /^(?:arn:aws[\w-]*:bedrock:|(?:[a-z]{2,6}\.)?anthropic\.claude)/.test(model);
}

/** Checks a model id against what the provider takes, before anything is sent. */
function checkModel(provider: LiveCallerOptions['provider'], model: string): void {
  if (provider !== 'bedrock' || isBedrockModelId(model)) return;
  throw new UserError(
    `Model '${model}' is not a Bedrock model id: with provider: bedrock set input 'model' to a Bedrock id or inference profile, e.g. us.anthropic.claude-sonnet-4-5-20250929-v1:0 (the Bedrock console lists them).`,
  );
}

export function liveCaller(options: LiveCallerOptions): ModelCaller {
  // Made once per run: each platform keeps one SDK client for all its calls (client.ts).
  let platforms: Promise<() => Promise<Platform>> | undefined;
  return async (request) => {
    const client = await import('./client.js');
    const { deadlineMs, idleTimeoutMs, log, pacer, stream } = options;
    if (options.provider === 'anthropic') platforms ??= Promise.resolve(anthropicOnce(client, options));
    else checkModel(options.provider, request.model);
    platforms ??= cloudPlatforms(options);
    const platform = await (await platforms)();
    return client.callModel(request, { deadlineMs, idleTimeoutMs, log, pacer, platform, stream });
  };
}

function anthropicOnce(client: typeof ClientModule, options: LiveCallerOptions): () => Promise<Platform> {
  const platform = client.anthropicPlatform(options);
  return () => Promise.resolve(platform);
}
