import type Anthropic from '@anthropic-ai/sdk';
import type { JournaledStep } from '../runs/step.js';
import type { BatchResult as BatchResultLine } from './batch-file.js';
import { textOf, usageOf } from './messages.js';
import { batchCostUsd } from './prices.js';
import { interpretStopReason } from './stop-reasons.js';
import { parseStructured, type Validate } from './structured.js';

/** What every item of one batch shares: how a reply is judged. */
export interface ReplyRules {
  model: string;
  maxTokens: number;
  allowTruncation: boolean;
  wantsJson: boolean;
  validate: Validate | undefined;
}

const round6 = (value: number): number => Math.round(value * 1e6) / 1e6;

/** Why a request that produced no message has no result; a re-run resubmits it. */
function unansweredReason(result: Exclude<Anthropic.Messages.MessageBatchResult, { type: 'succeeded' }>): string {
  switch (result.type) {
    case 'errored': {
      const error = result.error.error;
      return `the API refused the request (${error.type}): ${error.message}`;
    }
    case 'expired':
      return 'the request expired before it was processed (a batch ends after 24 hours); a re-run submits it again';
    case 'canceled':
      return 'the batch was canceled before this request ran; a re-run submits it again';
  }
}

/**
 * One item's result line, judged as a single run judges a reply: the stop reason (truncation,
 * refusal) and, for a JSON prompt, the schema. Batch mode has no repair turn (a repair would be
 * a second batch a day later), so an invalid reply is an error line; its tokens were still paid.
 */
export function resultLineOf(
  id: string,
  result: Anthropic.Messages.MessageBatchResult,
  rules: ReplyRules,
): BatchResultLine {
  if (result.type !== 'succeeded')
    return {
      id,
      status: 'error',
      outputs: {},
      tokens: { input: 0, output: 0 },
      costUsd: 0,
      error: unansweredReason(result),
    };
  const { message } = result;
  const usage = usageOf(message);
  const model = message.model || rules.model;
  const text = textOf(message);
  const outputs: Record<string, unknown> = { text, 'stop-reason': message.stop_reason ?? '', model };
  const paid = {
    id,
    outputs,
    tokens: { input: usage.inputTokens, output: usage.outputTokens },
    costUsd: round6(batchCostUsd(model, usage)),
  };
  const stop = interpretStopReason(message.stop_reason, {
    allowTruncation: rules.allowTruncation,
    maxTokens: rules.maxTokens,
  });
  if (!stop.ok) return { ...paid, status: 'error', error: stop.message };
  if (stop.continue)
    return {
      ...paid,
      status: 'error',
      error: 'The model paused its turn (pause_turn), which a batch cannot continue.',
    };
  if (!rules.wantsJson) return { ...paid, status: 'ok' };
  const parsed = parseStructured(text, rules.validate);
  if (!parsed.ok)
    return {
      ...paid,
      status: 'error',
      error: `The reply is not valid structured output: ${parsed.errors.slice(0, 3).join('; ')}`,
    };
  return { ...paid, status: 'ok', outputs: { ...outputs, json: parsed.value } };
}

/** Journal lines per chunk: a batch of 100,000 items is journaled in 100 writes. */
const JOURNAL_CHUNK = 1000;

/**
 * Every answered item is one model.call in the journal (provider `anthropic-batch`, cost at the
 * batch price), so the run record totals a batch like the calls of a single run.
 */
export function journalBatchCalls(
  step: JournaledStep,
  answered: Array<{ message: Anthropic.Message; fingerprint: string; costUsd: number }>,
  latencyMs: number,
): void {
  for (let start = 0; start < answered.length; start += JOURNAL_CHUNK) {
    step.appendMany(
      answered.slice(start, start + JOURNAL_CHUNK).map(({ message, fingerprint, costUsd: cost }) => {
        const usage = usageOf(message);
        return {
          type: 'model.call' as const,
          provider: 'anthropic-batch',
          model: message.model,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          cacheReadTokens: usage.cacheReadTokens,
          cacheWriteTokens: usage.cacheWriteTokens,
          costUsd: cost,
          latencyMs,
          fingerprint,
          stopReason: message.stop_reason ?? undefined,
          retries: 0,
          cacheHit: false,
        };
      }),
    );
  }
}
