/**
 * List prices of Claude models on the Claude API, in USD per million tokens.
 *
 * Source: Anthropic's published pricing page (platform.claude.com/docs/en/about-claude/pricing,
 * formerly docs.anthropic.com/en/docs/about-claude/pricing) and the per-model overview pages,
 * as read in 2026. These are LIST prices for the standard tier: no Batch API discount, no
 * negotiated rates, no fast-mode or data-residency multipliers. A run's cost is therefore an
 * estimate for budgeting and reporting, not an invoice. Update the table when Anthropic
 * publishes new models or prices; an id that matches no row costs 0 and is reported as unpriced.
 */

export interface Price {
  /** Uncached input tokens. */
  input: number;
  output: number;
  /** Prompt-cache writes with the default 5-minute lifetime (1-hour writes cost 2x input). */
  cacheWrite: number;
  /** Prompt-cache hits and refreshes. */
  cacheRead: number;
  /**
   * Some models bill every token of a request at higher rates once its prompt (input plus
   * cache reads and writes) exceeds a threshold; the whole request moves to those rates.
   */
  longPrompt?: { thresholdTokens: number; price: Omit<Price, 'longPrompt'> };
}

export interface TokenUsage {
  /** Uncached input tokens, as the API reports `input_tokens`. */
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  /** All cache-write tokens, whatever their lifetime. */
  cacheWriteTokens: number;
  /** The part of cacheWriteTokens written with a 1-hour lifetime, billed at 2x input. */
  cacheWrite1hTokens?: number;
}

const rates = (input: number, output: number, cacheWrite: number, cacheRead: number): Price => ({
  input,
  output,
  cacheWrite,
  cacheRead,
});

const OPUS_4_5_TIER = rates(5, 25, 6.25, 0.5);
const OPUS_4_TIER = rates(15, 75, 18.75, 1.5);
const SONNET_4_TIER = rates(3, 15, 3.75, 0.3);
/** Sonnet 4 and 4.5 with the 1M-token context: prompts over 200K tokens are billed at these. */
const SONNET_4_LONG: Price = {
  ...SONNET_4_TIER,
  longPrompt: { thresholdTokens: 200_000, price: rates(6, 22.5, 7.5, 0.6) },
};
const FABLE_5_TIER = rates(10, 50, 12.5, 1);
const FABLE_5_1_TIER = rates(10, 50, 12.5, 0.25);

/**
 * Keyed by model id without a date suffix. Keys are matched as whole id segments (see
 * priceFor), so `claude-opus-4` prices `claude-opus-4-20250514` but not `claude-opus-4-7`.
 */
const PRICES: Readonly<Record<string, Price>> = {
  // Claude 5 generation
  'claude-fable-5-1': FABLE_5_1_TIER,
  'claude-mythos-5-1': FABLE_5_1_TIER,
  'claude-fable-5': FABLE_5_TIER,
  'claude-mythos-5': FABLE_5_TIER,
  'claude-opus-5-5': rates(4, 20, 5, 0.2),
  'claude-opus-5': OPUS_4_5_TIER,
  // Sonnet 5.5 launched with a $0.20 cache read; a later cut to $0.10 was reported by third
  // parties only. The higher figure keeps cost budgets conservative until verified.
  'claude-sonnet-5-5': rates(2, 10, 2.5, 0.2),
  'claude-sonnet-5': rates(2, 10, 2.5, 0.2),
  'claude-haiku-5-5': {
    ...rates(0.1, 0.5, 0.125, 0.01),
    longPrompt: { thresholdTokens: 100_000, price: rates(0.5, 2.5, 0.625, 0.05) },
  },
  // Claude 4 generation
  'claude-opus-4-8': OPUS_4_5_TIER,
  'claude-opus-4-7': OPUS_4_5_TIER,
  'claude-opus-4-6': OPUS_4_5_TIER,
  'claude-opus-4-5': OPUS_4_5_TIER,
  'claude-opus-4-1': OPUS_4_TIER,
  'claude-opus-4-0': OPUS_4_TIER,
  'claude-opus-4': OPUS_4_TIER,
  'claude-sonnet-4-6': SONNET_4_TIER,
  'claude-sonnet-4-5': SONNET_4_LONG,
  'claude-sonnet-4-0': SONNET_4_LONG,
  'claude-sonnet-4': SONNET_4_LONG,
  'claude-haiku-4-5': rates(1, 5, 1.25, 0.1),
  // Claude 3 generation (mostly retired; kept so old journals and replays still price)
  'claude-3-7-sonnet': SONNET_4_TIER,
  'claude-3-5-sonnet': SONNET_4_TIER,
  'claude-3-5-haiku': rates(0.8, 4, 1, 0.08),
  'claude-3-opus': OPUS_4_TIER,
  'claude-3-haiku': rates(0.25, 1.25, 0.3, 0.03),
};

/**
 * What may follow a table key in a real id: a release date (`-20250514`, Vertex `@20250514`),
 * a Bedrock version (`-v1`, `-v1:0`), `-latest`, or a context tag (`[1m]`). Anything else,
 * notably `-7`, is a different model and must not inherit the shorter key's price.
 */
const SUFFIX = /^(?:[-@]\d{8})?(?:-v\d+(?::\d+)?)?(?:-latest)?(?:\[[a-z0-9]+\])?$/i;

/** Strips cloud-provider prefixes such as `anthropic.` and `us.anthropic.` (Bedrock). */
export function normalizeModelId(model: string): string {
  const trimmed = model.trim().toLowerCase();
  const at = trimmed.lastIndexOf('anthropic.');
  return at === -1 ? trimmed : trimmed.slice(at + 'anthropic.'.length);
}

export function priceFor(model: string): Price | undefined {
  const id = normalizeModelId(model);
  let best: string | undefined;
  for (const key of Object.keys(PRICES)) {
    if (!id.startsWith(key) || !SUFFIX.test(id.slice(key.length))) continue;
    if (best === undefined || key.length > best.length) best = key;
  }
  return best === undefined ? undefined : PRICES[best];
}

/** List-price cost of one request in USD; 0 for a model not in the table (check priceFor). */
export function costUsd(model: string, usage: TokenUsage): number {
  const price = priceFor(model);
  if (price === undefined) return 0;
  const prompt = usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
  const p =
    price.longPrompt !== undefined && prompt > price.longPrompt.thresholdTokens ? price.longPrompt.price : price;
  const write1h = Math.min(usage.cacheWrite1hTokens ?? 0, usage.cacheWriteTokens);
  const micro =
    usage.inputTokens * p.input +
    usage.outputTokens * p.output +
    usage.cacheReadTokens * p.cacheRead +
    (usage.cacheWriteTokens - write1h) * p.cacheWrite +
    write1h * p.input * 2;
  return micro / 1_000_000;
}

/** The Message Batches API bills every token at half the list price. */
export const BATCH_PRICE_FACTOR = 0.5;

/** Cost of one request answered through the Message Batches API. */
export function batchCostUsd(model: string, usage: TokenUsage): number {
  return costUsd(model, usage) * BATCH_PRICE_FACTOR;
}

/**
 * Pessimistic cost of a request before it is sent: every prompt token billed at the dearer of
 * the input and 5-minute cache-write rates (a prompt never costs more unless it uses 1-hour
 * caching) and the whole output allowance used. Undefined for an unpriced model.
 */
export function maxCostUsd(model: string, promptTokens: number, maxOutputTokens: number): number | undefined {
  const price = priceFor(model);
  if (price === undefined) return undefined;
  const p =
    price.longPrompt !== undefined && promptTokens > price.longPrompt.thresholdTokens ? price.longPrompt.price : price;
  return (promptTokens * Math.max(p.input, p.cacheWrite) + maxOutputTokens * p.output) / 1_000_000;
}
