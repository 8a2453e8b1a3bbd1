import type Anthropic from '@anthropic-ai/sdk';
import { errorMessage } from '../shared/errors.js';
import { appendAssistant, estimateTokens } from './conversation.js';
import { ModelStopError, ToolLoopLimitError } from './errors.js';
import { maxCostUsd, priceFor, type TokenUsage } from './prices.js';
import { interpretStopReason } from './stop-reasons.js';
import type { ModelRequest, ModelResponse, ToolCallRecord } from './types.js';
import { redact } from '../shared/redact.js';

export interface ToolResult {
  content: string;
  isError?: boolean;
}

export interface ToolExecutor {
  definitions: Anthropic.Tool[];
  /** May throw: a thrown error is shown to the model as a failed tool call, not raised. */
  execute(name: string, input: unknown, toolUseId: string): Promise<ToolResult>;
}

export interface ToolLoopLimits {
  /** Model calls allowed, pause_turn continuations included. */
  maxTurns: number;
  /** Tokens allowed over all calls: input, cache reads and writes, and output. */
  maxTotalTokens?: number;
  /** List-price USD allowed over all calls (see prices.ts). */
  maxCostUsd?: number;
}

export interface ToolLoopOptions {
  request: ModelRequest;
  tools: ToolExecutor;
  call: (request: ModelRequest) => Promise<ModelResponse>;
  limits: ToolLoopLimits;
  onToolCall?: (record: ToolCallRecord) => void;
  /** Accept a final reply cut off at max_tokens instead of failing. */
  allowTruncation?: boolean;
}

export interface ToolLoopResult {
  /** The final reply's text, pause_turn continuations joined. */
  text: string;
  final: ModelResponse;
  responses: ModelResponse[];
  toolCalls: ToolCallRecord[];
  /** The whole conversation, ending with the final assistant reply. */
  messages: Anthropic.MessageParam[];
  usage: TokenUsage;
  costUsd: number;
}

export function totalTokens(usage: TokenUsage): number {
  return usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens + usage.outputTokens;
}

function promptTokens(usage: TokenUsage): number {
  return usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;
}

export function sumUsage(responses: readonly ModelResponse[]): TokenUsage {
  const total: TokenUsage = {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
  };
  for (const { usage } of responses) {
    total.inputTokens += usage.inputTokens;
    total.outputTokens += usage.outputTokens;
    total.cacheReadTokens += usage.cacheReadTokens;
    total.cacheWriteTokens += usage.cacheWriteTokens;
    total.cacheWrite1hTokens = (total.cacheWrite1hTokens ?? 0) + (usage.cacheWrite1hTokens ?? 0);
  }
  return total;
}

const usd = (value: number): string => `$${value.toFixed(value < 1 ? 4 : 2)}`;

/**
 * Runs the model with tools until it answers without asking for one. Each tool_use is run in
 * order (tools may have side effects, so never concurrently) and answered with a tool_result;
 * pause_turn is continued. Limits are checked before every call, so a budget stops the loop
 * before money is spent rather than after.
 */
export async function runToolLoop(options: ToolLoopOptions): Promise<ToolLoopResult> {
  const { tools, call, limits } = options;
  // The request may already list the executor's tools (its fingerprint covers them); the API
  // rejects a tool name given twice, so each name is sent once.
  const own = new Set(tools.definitions.map((definition) => definition.name));
  const others = (options.request.tools ?? []).filter((tool) => !('name' in tool && own.has(tool.name)));
  const request: ModelRequest = { ...options.request, tools: [...others, ...tools.definitions] };
  const responses: ModelResponse[] = [];
  const toolCalls: ToolCallRecord[] = [];
  const progress = { responses, toolCalls };
  let messages = [...request.messages];

  if (limits.maxCostUsd !== undefined && priceFor(request.model) === undefined) {
    throw new ToolLoopLimitError(
      'max_cost_usd',
      `A cost budget cannot be enforced for model '${request.model}': autostack has no price for it.`,
      progress,
    );
  }

  // Tokens of the next prompt that the API has not counted yet: the first request, then what
  // each turn appends (the assistant reply is counted as output; tool results are estimated).
  let unmeasured = estimateTokens({ system: request.system, tools: request.tools, messages });
  // The reply since the last tool result: a pause_turn continuation adds to it, it does not replace it.
  let text = '';

  for (let turn = 1; ; turn++) {
    const last = responses[responses.length - 1];
    checkLimits(limits, request, responses, last, unmeasured, turn, progress);

    const response = await call({ ...request, messages });
    responses.push(response);
    messages = appendAssistant(messages, response.message);
    text += response.text;
    unmeasured = 0;

    const outcome = interpretStopReason(response.stopReason, {
      allowTruncation: options.allowTruncation ?? false,
      maxTokens: request.maxTokens,
    });
    if (!outcome.ok) throw new ModelStopError(outcome.message, response.stopReason, responses);
    if (outcome.continue) continue;
    if (response.stopReason !== 'tool_use') {
      const usage = sumUsage(responses);
      const costUsd = responses.reduce((sum, r) => sum + r.costUsd, 0);
      return { text, final: response, responses, toolCalls, messages, usage, costUsd };
    }

    const uses = response.message.content.filter((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
    if (uses.length === 0) {
      throw new ModelStopError('The model stopped to use a tool but named none.', response.stopReason, responses);
    }
    const results: Anthropic.ToolResultBlockParam[] = [];
    for (const use of uses) {
      const record = await runTool(tools, use);
      toolCalls.push(record);
      options.onToolCall?.(record);
      const content = record.error ?? record.output ?? '';
      results.push({
        type: 'tool_result',
        tool_use_id: use.id,
        content,
        ...(record.error !== undefined ? { is_error: true } : {}),
      });
    }
    messages = [...messages, { role: 'user', content: results }];
    unmeasured = estimateTokens(results);
    text = '';
  }
}

async function runTool(tools: ToolExecutor, use: Anthropic.ToolUseBlock): Promise<ToolCallRecord> {
  const started = performance.now();
  const base = { tool: use.name, toolUseId: use.id, input: use.input };
  try {
    const result = await tools.execute(use.name, use.input, use.id);
    const durationMs = Math.round(performance.now() - started);
    // Tool results go to the model (a third party): redacted here, whatever tool produced them.
    return result.isError === true
      ? { ...base, error: redact(result.content), durationMs }
      : { ...base, output: redact(result.content), durationMs };
  } catch (error) {
    const durationMs = Math.round(performance.now() - started);
    return { ...base, error: redact(`Tool '${use.name}' failed: ${errorMessage(error)}`), durationMs };
  }
}

function checkLimits(
  limits: ToolLoopLimits,
  request: ModelRequest,
  responses: readonly ModelResponse[],
  last: ModelResponse | undefined,
  unmeasured: number,
  turn: number,
  progress: { responses: readonly ModelResponse[]; toolCalls: readonly ToolCallRecord[] },
): void {
  if (turn > limits.maxTurns) {
    throw new ToolLoopLimitError(
      'max_turns',
      `The model was still using tools after ${limits.maxTurns} ${limits.maxTurns === 1 ? 'turn' : 'turns'} (max-turns); raise the limit or narrow the task.`,
      progress,
    );
  }
  // Worst case for the next call: the last prompt, plus the reply and tool results it grew by,
  // read in full, and the whole output allowance used.
  const nextPrompt = (last === undefined ? 0 : promptTokens(last.usage) + last.usage.outputTokens) + unmeasured;

  if (limits.maxTotalTokens !== undefined) {
    const used = responses.reduce((sum, r) => sum + totalTokens(r.usage), 0);
    const next = nextPrompt + request.maxTokens;
    if (used + next > limits.maxTotalTokens) {
      throw new ToolLoopLimitError(
        'max_total_tokens',
        `Stopped before turn ${turn}: ${used} tokens used so far and the next call could use up to ${next} more, over the ${limits.maxTotalTokens}-token limit (max-total-tokens).`,
        progress,
      );
    }
  }
  if (limits.maxCostUsd !== undefined) {
    const spent = responses.reduce((sum, r) => sum + r.costUsd, 0);
    const next = maxCostUsd(request.model, nextPrompt, request.maxTokens) ?? 0;
    if (spent + next > limits.maxCostUsd) {
      throw new ToolLoopLimitError(
        'max_cost_usd',
        `Stopped before turn ${turn}: ${usd(spent)} spent so far and the next call could cost up to ${usd(next)}, over the ${usd(limits.maxCostUsd)} budget (max-cost-usd).`,
        progress,
      );
    }
  }
}
