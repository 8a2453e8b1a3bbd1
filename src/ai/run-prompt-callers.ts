// The model caller and tool executor run-prompt builds for one run: live, recording or replay
// calls behind a budget-checking, journaling meter, and the prompt's and input's tools. Split out
// of run-prompt.ts to keep that file under the size limit.
import { relative } from 'node:path';
import type { Log } from '../io/io.js';
import { parseRepository } from '../github/repository.js';
import { type PromptDefinition } from '../prompts/types.js';
import type { JournaledStep } from '../runs/step.js';
import { errorMessage, UserError } from '../shared/errors.js';
import { estimateTokens } from './conversation.js';
import { ModelError } from './errors.js';
import { liveCaller } from './platforms.js';
import { maxCostUsd } from './prices.js';
import { type ModelCaller, recordingCaller, replayCaller } from './provider.js';
import type { RunPromptSpec } from './run-prompt.js';
import type { Provider } from './run-prompt-options.js';
import { type ToolExecutor } from './tool-loop.js';
import type { ModelRequest, ModelResponse } from './types.js';

/** A Log that says nothing: for work whose messages were already said once (or are not wanted). */
export const SILENT_LOG: Log = {
  debug: () => undefined,
  info: () => undefined,
  notice: () => undefined,
  warning: () => undefined,
  error: () => undefined,
  group: (_title, body) => body(),
  setSecret: () => undefined,
};

export interface Spend {
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  calls: number;
}

/** Refuses a call whose worst case would take what is spent past the budget. */
function checkBudget(request: ModelRequest, spent: number, budget: number): void {
  const worst = maxCostUsd(
    request.model,
    estimateTokens([request.system ?? '', request.messages, request.tools ?? []]),
    request.maxTokens,
  );
  if (worst === undefined) {
    throw new UserError(
      `Input 'max-cost-usd' cannot be enforced: model ${request.model} has no price in autostack's table. Choose a priced model or remove the budget.`,
    );
  }
  if (spent + worst > budget) {
    throw new UserError(
      `Input 'max-cost-usd' (${budget}) stops this call: $${spent.toFixed(4)} spent so far and the next call could cost up to $${worst.toFixed(4)}. Raise the budget or lower max-tokens.`,
    );
  }
}

/**
 * Every model call passes through here: the budget is checked before the call (what has been
 * spent plus the worst this call could cost), and the call lands in the journal after it.
 */
export function meteredCaller(
  inner: ModelCaller,
  spend: Spend,
  options: {
    budget?: number | undefined;
    step: JournaledStep;
    provider: Provider;
    fingerprint: string;
    spentElsewhereUsd?: (() => number) | undefined;
  },
): ModelCaller {
  return async (request) => {
    if (options.budget !== undefined && options.provider !== 'replay')
      checkBudget(request, spend.costUsd + (options.spentElsewhereUsd?.() ?? 0), options.budget);
    const started = Date.now();
    let response: ModelResponse;
    try {
      response = await inner(request);
    } catch (error) {
      // A call that never produced a message is journaled too: what failed, after how many tries.
      const details =
        error instanceof ModelError
          ? {
              kind: error.kind,
              status: error.status,
              apiType: error.apiType,
              requestId: error.requestId,
              attempts: error.attempts,
            }
          : {};
      options.step.append({
        type: 'log',
        level: 'error',
        message: `model call to ${request.model} failed: ${errorMessage(error)}`,
        data: {
          model: request.model,
          provider: options.provider,
          fingerprint: options.fingerprint,
          latencyMs: Date.now() - started,
          ...details,
        },
      });
      throw error;
    }
    spend.calls += 1;
    spend.costUsd += response.costUsd;
    spend.inputTokens += response.usage.inputTokens;
    spend.outputTokens += response.usage.outputTokens;
    options.step.append({
      type: 'model.call',
      provider: options.provider,
      model: response.model,
      inputTokens: response.usage.inputTokens,
      outputTokens: response.usage.outputTokens,
      cacheReadTokens: response.usage.cacheReadTokens,
      cacheWriteTokens: response.usage.cacheWriteTokens,
      costUsd: response.costUsd,
      latencyMs: response.latencyMs,
      fingerprint: options.fingerprint,
      stopReason: response.stopReason ?? undefined,
      retries: response.retries,
      cacheHit: false,
    });
    return response;
  };
}

export function buildCaller(
  spec: RunPromptSpec,
  log: Log,
  recordingsPath: string,
  options: { stream?: boolean } = {},
): ModelCaller {
  if (spec.provider === 'replay')
    return replayCaller(recordingsPath, relative(spec.workspace, recordingsPath) || recordingsPath);
  if (spec.provider === 'anthropic' && !spec.apiKey) {
    throw new UserError(
      "Input 'anthropic-api-key' is empty and ANTHROPIC_API_KEY is not set. Pass a key, or use provider: replay with recorded responses.",
    );
  }
  // The SDKs are loaded on first use: replay and cache hits never need them.
  const live = liveCaller({
    provider: spec.provider,
    apiKey: spec.apiKey,
    baseUrl: spec.baseUrl,
    headers: spec.customHeaders,
    cloud: spec.cloud,
    deadlineMs: spec.deadlineMs,
    idleTimeoutMs: spec.idleTimeoutMs,
    log,
    pacer: spec.pacer,
    stream: options.stream,
  });
  return spec.record ? recordingCaller(live, recordingsPath) : live;
}

/** Offered to the model when the prompt declares no tools: it has none to call. */
const NO_TOOLS: ToolExecutor = {
  definitions: [],
  execute: async (name) => ({ content: `There is no tool named ${name}. Available: `, isError: true }),
};

export async function buildTools(spec: RunPromptSpec, definition: PromptDefinition): Promise<ToolExecutor> {
  // The tool layer (zod schemas, GitHub tools, command runner) loads only for a prompt that has tools.
  if (definition.tools.length === 0 && spec.tools.length === 0) return NO_TOOLS;
  const { buildToolExecutor, parseToolDeclarations } = await import('./tools.js');
  const declarations = [
    ...parseToolDeclarations(
      definition.tools.map((tool) => tool.raw),
      definition.file ?? 'prompt',
    ),
    ...parseToolDeclarations(spec.tools, "input 'tools'"),
  ];
  let github: Parameters<typeof buildToolExecutor>[1]['github'];
  if (spec.github && declarations.some((declaration) => declaration.kind === 'github')) {
    const repository = parseRepository(spec.github.repository);
    if (repository) {
      github = {
        client: await spec.ports.github({ token: spec.github.token, apiUrl: spec.github.apiUrl }, SILENT_LOG),
        ...repository,
      };
    }
  }
  return buildToolExecutor(declarations, { github, cwd: spec.workspace });
}
