import type Anthropic from '@anthropic-ai/sdk';
import { normalizeModelId, type TokenUsage } from './prices.js';

/**
 * Pure helpers over Messages API values. They live apart from client.ts so that paths which
 * never call the API (replay, cache hits) do not load the SDK: it is the bulk of a cold start.
 */

/**
 * Structured output (output_config.format) is generally available from the 4.5 models on;
 * Claude 4.0/4.1 and 3.x reject it. Unknown families are assumed not to support it: the
 * structured-output repair loop still validates, so a false negative costs little.
 */
export function supportsStructuredOutput(model: string): boolean {
  const match = /^claude-[a-z]+-(\d+)(?:-(\d{1,2}))?(?=$|[-@[])/.exec(normalizeModelId(model));
  if (match === null) return false;
  const major = Number(match[1]);
  const minor = match[2] === undefined ? 0 : Number(match[2]);
  return major > 4 || (major === 4 && minor >= 5);
}

export function usageOf(message: Anthropic.Message): TokenUsage {
  const u = message.usage;
  return {
    inputTokens: u.input_tokens,
    outputTokens: u.output_tokens,
    cacheReadTokens: u.cache_read_input_tokens ?? 0,
    cacheWriteTokens: u.cache_creation_input_tokens ?? 0,
    cacheWrite1hTokens: u.cache_creation?.ephemeral_1h_input_tokens ?? 0,
  };
}

export function textOf(message: Anthropic.Message): string {
  return message.content
    .filter((block): block is Anthropic.TextBlock => block.type === 'text')
    .map((block) => block.text)
    .join('');
}

/**
 * Sampling parameters (temperature, top_p, top_k) were removed from the request at Claude Opus
 * 4.7: it and every later model (Opus 4.8, the 5 generation) answer a request that sets one with
 * 400 "`temperature` is deprecated for this model". Sonnet 4.6, Opus 4.6, Haiku 4.5 and older
 * still take them. Unknown ids are assumed to take them, so the API has the last word.
 */
export function acceptsSamplingParameters(model: string): boolean {
  const id = normalizeModelId(model);
  if (/^claude-\d(?:-\d)?-[a-z]/.test(id)) return true; // claude-3-5-sonnet, claude-3-opus: the old naming
  const match = /^claude-[a-z]+-(\d+)(?:-(\d{1,2}))?(?=$|[-@[])/.exec(id);
  if (match === null) return true;
  const major = Number(match[1]);
  const minor = match[2] === undefined ? 0 : Number(match[2]);
  return major < 4 || (major === 4 && minor <= 6);
}

/**
 * A complete Messages API reply read from a JSON body: some gateways and proxies answer a
 * streaming request with the whole Message as `application/json` instead of server-sent events.
 * Only what the rest of autostack reads is checked; anything else is not taken for a reply.
 */
export function messageFromJson(value: unknown): Anthropic.Message | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Partial<Record<keyof Anthropic.Message, unknown>>;
  const usage = candidate.usage as Partial<Record<string, unknown>> | null | undefined;
  const ok =
    candidate.type === 'message' &&
    candidate.role === 'assistant' &&
    Array.isArray(candidate.content) &&
    candidate.content.every((block) => typeof block === 'object' && block !== null && 'type' in block) &&
    typeof usage === 'object' &&
    usage !== null &&
    typeof usage.input_tokens === 'number' &&
    typeof usage.output_tokens === 'number';
  return ok ? (value as Anthropic.Message) : undefined;
}
