import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import type { Log } from '../io/io.js';
import type { Ports } from '../ports/ports.js';
import { type CompiledSchema, compileSchema } from '../prompts/schema.js';
import { withSchemaEngine } from '../prompts/engine.js';
import { loadPrompt } from '../prompts/load.js';
import { promptFromText } from '../prompts/text-prompt.js';
import { renderPrompt } from '../prompts/render.js';
import { type PromptDefinition } from '../prompts/types.js';
import type { JournaledStep } from '../runs/step.js';
import { summarize } from '../runs/step.js';
import { canonicalJson } from '../shared/canonical-json.js';
import { InputError, UserError } from '../shared/errors.js';
import { redact, redactedJson, redactUrl } from '../shared/redact.js';
import { acceptsSamplingParameters, supportsStructuredOutput } from './messages.js';
import { sha256 } from './fingerprint.js';
import { defaultRecordingsPath, type ModelCaller } from './provider.js';
import { runStructured } from './structured.js';
import { buildCaller, buildTools, meteredCaller, type Spend } from './run-prompt-callers.js';
import { runToolLoop, type ToolExecutor, type ToolLoopResult } from './tool-loop.js';
import type { CallPacer, ModelRequest, ModelResponse, ToolCallRecord } from './types.js';
import type { CloudAccess } from './platforms.js';
import { claudeModelId, DEFAULT_MAX_TOKENS, DEFAULT_MODEL, type Provider } from './run-prompt-options.js';

/** The batch file, results file and wait of `mode: message-batches`, as the user typed them. */
export interface MessageBatchOptions {
  batchFile: string;
  resultsFile: string;
  /** How long to wait for the batch to end before failing the step (the batch keeps running). */
  timeoutMs: number;
  /** batch-fail-on-error: fail the step when an item failed. */
  failOnError: boolean;
  /** First poll interval; default 10 s, or AUTOSTACK_BATCH_POLL_MS (tests, the local runner). */
  pollMs?: number | undefined;
}

export interface RunPromptSpec {
  prompt?: string | undefined;
  promptFile?: string | undefined;
  /** With promptFile: run the content promoted to this channel in the prompt lock (promote-prompt). */
  channel?: string | undefined;
  /** An already loaded prompt (promote-prompt's evals); wins over prompt and promptFile. */
  definition?: PromptDefinition | undefined;
  variables: Record<string, string>;
  /** Variables written by others, added to the prompt file's `untrusted:` (delimited, cleaned). */
  untrusted?: string[] | undefined;
  systemPrompt?: string | undefined;
  model?: string | undefined;
  /** The model for prompts that name none or a non-Claude one (env AUTOSTACK_DEFAULT_MODEL). */
  defaultModel?: string | undefined;
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  topP?: number | undefined;
  /** A parsed JSON Schema; overrides the prompt file's. */
  schema?: unknown;
  /** Tool declarations from the `tools` input, added to the prompt file's. */
  tools: unknown[];
  cache: boolean;
  maxCostUsd?: number | undefined;
  allowTruncation: boolean;
  maxRepairs: number;
  maxTurns: number;
  deadlineMs: number;
  /** A request that receives nothing for this long is abandoned and retried. */
  idleTimeoutMs?: number | undefined;
  provider: Provider;
  /** Store every live answer in the recordings file (the CLI's --record). */
  record: boolean;
  recordingsPath?: string | undefined;
  apiKey?: string | undefined;
  baseUrl?: string | undefined;
  /** How to reach Amazon Bedrock and Google Vertex AI (provider bedrock, vertex). */
  cloud?: CloudAccess | undefined;
  /** Sent with every model request (input custom-headers). */
  customHeaders?: Record<string, string> | undefined;
  github?: { token: string; repository: string; apiUrl?: string | undefined } | undefined;
  /** Where relative paths resolve and command tools run. */
  workspace: string;
  /** Where the full response file is written. */
  responseDirectory: string;
  /** `text`: response-file is the reply text alone (what actions/ai-inference wrote), for scripts that `cat` it. */
  responseFileFormat?: 'json' | 'text' | undefined;
  /** The GitHub client and Actions cache, made once by the entry point. */
  ports: Pick<Ports, 'github' | 'cache'>;
  /** A batch's items: the results line holds the reply, thousands of response files would only cost time. */
  noResponseFile?: boolean | undefined;
  /** `batch-file`: run every variable set of a JSON Lines file (batch-run.ts). */
  batch?: BatchOptions | undefined;
  /** A batch's items share the pool's view of the rate limits. */
  pacer?: CallPacer | undefined;
  /** A batch's items share one model caller (one SDK client), made when first needed. */
  sharedCaller?: (() => ModelCaller) | undefined;
  /** What other items of a batch have spent: max-cost-usd bounds the whole batch. */
  spentElsewhereUsd?: (() => number) | undefined;
  /** Set with `mode: message-batches`: run the batch file through the Message Batches API. */
  messageBatch?: MessageBatchOptions | undefined;
}

export interface BatchOptions {
  /** Absolute paths, checked against the workspace. */
  file: string;
  resultsFile: string;
  /** As the user gave them, for messages. */
  fileShown: string;
  resultsFileShown: string;
  concurrency: number;
  failOnError: boolean;
}

export interface RunPromptResult {
  text: string;
  json: unknown;
  hasJson: boolean;
  stopReason: string | null;
  model: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  promptVersion: string;
  contentHash: string;
  fingerprint: string;
  cacheHit: boolean;
  responseFile: string;
  toolCalls: number;
  modelCalls: number;
}

/** GitHub Models files name other vendors' models; they run on Claude here, said out loud. */
export function resolveModel(requested: string | undefined, log: Log, fallback: string = DEFAULT_MODEL): string {
  if (!requested) return fallback;
  const bare = claudeModelId(requested);
  if (bare) return bare;
  log.notice(
    `Model '${requested}' is not a Claude model; running ${fallback} instead (set the 'model' input to choose, or AUTOSTACK_DEFAULT_MODEL for the default).`,
  );
  return fallback;
}

/**
 * Temperature and top-p as the model takes them. A prompt file's values are dropped, with a
 * notice, for models that reject them (GitHub Models files nearly always set temperature and must
 * run unchanged); the same values given as inputs are an error, since the user asked for them.
 */
function samplingParameters(
  spec: RunPromptSpec,
  parameters: PromptDefinition['modelParameters'],
  model: string,
  file: string | undefined,
  log: Log,
): { temperature?: number; topP?: number } {
  if (acceptsSamplingParameters(model)) {
    const temperature = spec.temperature ?? parameters.temperature;
    const topP = spec.topP ?? parameters.topP;
    return { ...(temperature !== undefined ? { temperature } : {}), ...(topP !== undefined ? { topP } : {}) };
  }
  for (const [name, value] of [
    ['temperature', spec.temperature],
    ['top-p', spec.topP],
  ] as const) {
    if (value !== undefined)
      throw new InputError(
        name,
        `cannot be used with ${model}: the model takes no sampling parameters (Claude Opus 4.7 and later). Remove it, or choose a model such as claude-sonnet-4-6.`,
      );
  }
  const dropped = [
    parameters.temperature !== undefined ? `temperature ${parameters.temperature}` : '',
    parameters.topP !== undefined ? `topP ${parameters.topP}` : '',
  ].filter(Boolean);
  if (dropped.length > 0)
    log.notice(
      `${file ?? 'The prompt'} sets ${dropped.join(' and ')}; ${model} takes no sampling parameters, so they are not sent.`,
    );
  return {};
}

/** Reads the prompt (loading what reading it needs: the lock module, ajv, zod, see withSchemaEngine). */
export async function loadDefinition(spec: RunPromptSpec): Promise<PromptDefinition> {
  if (spec.definition) return spec.definition;
  if (spec.promptFile && spec.prompt)
    throw new UserError("Inputs 'prompt' and 'prompt-file' were both given; use one.");
  if (spec.channel) {
    if (!spec.promptFile)
      throw new UserError("Input 'channel' needs 'prompt-file': a channel names a promoted version of a prompt file.");
    const { promptFile, channel, workspace } = spec;
    // The lock module (and its zod schemas) only for a run that names a channel.
    const { loadPromotedPrompt } = await import('../prompts/lock.js');
    return withSchemaEngine(() => loadPromotedPrompt(promptFile, channel, { cwd: workspace }).definition);
  }
  if (spec.promptFile) {
    const { promptFile, workspace } = spec;
    return withSchemaEngine(() => loadPrompt(promptFile, { cwd: workspace }));
  }
  if (spec.prompt) return promptFromText(spec.prompt, { system: spec.systemPrompt });
  throw new UserError(
    "Input 'prompt' or 'prompt-file' is required: inline prompt text, or a path to a .prompt.yml, .md or .txt file.",
  );
}

/**
 * Runs one prompt: load and render it, answer from the idempotent cache when the fingerprint
 * was seen, else call the model (tool loop, structured output with bounded repair, budget),
 * and record every call in the journal. The action and the CLI both call this.
 */
export async function runPrompt(spec: RunPromptSpec, log: Log, step: JournaledStep): Promise<RunPromptResult> {
  const plan = await planCall(spec, log);
  const { definition, fingerprint, model, recordingsPath, useCache } = plan;
  await logPlan(spec, plan, log);
  step.append({
    type: 'log',
    level: 'info',
    message: `prompt ${definition.name} version ${definition.versionLabel}`,
    data: {
      promptFile: definition.file,
      promptVersion: definition.versionLabel,
      contentHash: definition.contentHash,
      fingerprint,
      model,
      provider: spec.provider,
    },
  });

  const responseFile = join(spec.responseDirectory, `${fingerprint.replace(/^sha256:/, '')}.json`);
  const base = {
    promptVersion: definition.versionLabel,
    contentHash: definition.contentHash,
    fingerprint,
    responseFile,
  };
  if (useCache) {
    const cached = await answerFromCache(spec, fingerprint, responseFile, log, step);
    if (cached) return { ...base, ...cached };
  }

  const spend: Spend = { costUsd: 0, inputTokens: 0, outputTokens: 0, calls: 0 };
  const caller = meteredCaller(spec.sharedCaller?.() ?? buildCaller(spec, log, recordingsPath), spend, {
    budget: spec.maxCostUsd,
    step,
    provider: spec.provider,
    fingerprint,
    spentElsewhereUsd: spec.spentElsewhereUsd,
  });
  if (spec.provider !== 'replay')
    step.append({ type: 'system.touched', system: spec.provider, target: model, operation: 'messages.create' });
  const { final, json, toolCalls, transcript } = await converse(spec, plan, caller, log, step);

  const result: RunPromptResult = {
    ...base,
    text: final.text,
    json,
    hasJson: plan.wantsJson,
    stopReason: final.stopReason,
    model: final.model,
    inputTokens: spend.inputTokens,
    outputTokens: spend.outputTokens,
    costUsd: Math.round(spend.costUsd * 1e6) / 1e6,
    cacheHit: false,
    toolCalls,
    modelCalls: spend.calls,
  };
  if (!spec.noResponseFile)
    writeResponseFile(responseFile, { ...result, message: final.message, conversation: transcript });
  if (spec.record)
    log.info(`recorded ${spend.calls} answer(s) in ${relative(spec.workspace, recordingsPath) || recordingsPath}`);
  if (useCache) {
    // The cache is off for replay and recording runs: its reader loads when it is on.
    const { storeCachedResult } = await import('./response-cache.js');
    await storeCachedResult(
      {
        fingerprint,
        promptVersion: definition.versionLabel,
        model: result.model,
        text: result.text,
        json: plan.wantsJson ? json : undefined,
        stopReason: result.stopReason,
        inputTokens: result.inputTokens,
        outputTokens: result.outputTokens,
        originalCostUsd: result.costUsd,
      },
      { log, cache: spec.ports.cache, root: spec.workspace },
    );
  }
  return result;
}

/** Everything decided before the first call: the prompt, the request, its fingerprint. */
export interface CallPlan {
  definition: PromptDefinition;
  model: string;
  maxTokens: number;
  schema: CompiledSchema | undefined;
  wantsJson: boolean;
  tools: ToolExecutor;
  request: ModelRequest;
  fingerprint: string;
  recordingsPath: string;
  useCache: boolean;
}

/** Also what message-batches.ts renders each item with, so a batch item is the request a single run would send. */
export async function planCall(spec: RunPromptSpec, log: Log): Promise<CallPlan> {
  const definition = await loadDefinition(spec);
  for (const warning of definition.warnings) log.warning(warning);
  for (const problem of definition.evaluatorProblems ?? [])
    log.warning(`${problem}; run-prompt uses no evaluator, so the prompt runs (promote-prompt's eval gate refuses it)`);
  const rendered = renderPrompt(definition, spec.variables, { untrusted: spec.untrusted });
  const system =
    [rendered.system, spec.promptFile ? spec.systemPrompt : undefined].filter(Boolean).join('\n\n') || undefined;
  // spec.model was checked where it was read (a Claude id, or the provider's own form).
  const model = spec.model ?? resolveModel(definition.model, log, spec.defaultModel);
  const parameters = definition.modelParameters;
  const maxTokens = spec.maxTokens ?? parameters.maxTokens ?? parameters.maxCompletionTokens ?? DEFAULT_MAX_TOKENS;

  const schemaSource = spec.schema !== undefined ? spec.schema : definition.jsonSchema?.schema;
  const schema =
    schemaSource !== undefined
      ? await withSchemaEngine(() =>
          compileSchema(
            schemaSource,
            spec.schema !== undefined
              ? { input: 'schema' }
              : { file: definition.file, line: definition.jsonSchema?.line },
          ),
        )
      : undefined;
  const wantsJson = schema !== undefined || definition.responseFormat === 'json_object';
  const tools = await buildTools(spec, definition);

  const request: ModelRequest = {
    model,
    // The model is a third party: a secret passed in a variable is masked before it is sent.
    system: system === undefined ? undefined : redact(system),
    messages: rendered.messages.map((message) => ({ role: message.role, content: redact(message.content) })),
    maxTokens,
    ...samplingParameters(spec, parameters, model, definition.file, log),
    stopSequences: parameters.stop,
    tools: tools.definitions.length > 0 ? tools.definitions : undefined,
    outputSchema:
      schema && typeof schema.schema === 'object' && supportsStructuredOutput(model) && tools.definitions.length === 0
        ? schema.schema
        : undefined,
  };
  // The schema counts even when it is not sent (tools, older models): it decides what is valid.
  const fingerprint = sha256(
    canonicalJson({
      kind: 'autostack.run-prompt/v1',
      prompt: definition.contentHash,
      request,
      schema: schema?.schema,
      wantsJson,
      maxRepairs: spec.maxRepairs,
      allowTruncation: spec.allowTruncation,
    }),
  );
  const recordingsPath = recordingsPathOf(spec, definition);
  // Replay is free already, and a recording run must reach the API to have something to record.
  const useCache = spec.cache && spec.provider !== 'replay' && !spec.record;
  return { definition, model, maxTokens, schema, wantsJson, tools, request, fingerprint, recordingsPath, useCache };
}

export function recordingsPathOf(spec: RunPromptSpec, definition: PromptDefinition): string {
  return resolve(spec.workspace, spec.recordingsPath ?? defaultRecordingsPath(definition.file));
}

async function logPlan(spec: RunPromptSpec, plan: CallPlan, log: Log): Promise<void> {
  const { definition, request, schema, tools, recordingsPath } = plan;
  await log.group(`run-prompt: ${definition.name} (${definition.versionLabel})`, async () => {
    log.info(
      `prompt: ${definition.file ?? 'inline'}; version ${definition.versionLabel}; content ${definition.contentHash}`,
    );
    log.info(
      `model: ${plan.model}; max-tokens ${plan.maxTokens}; temperature ${request.temperature ?? 'default'}; top-p ${request.topP ?? 'default'}`,
    );
    log.info(
      `schema: ${schema ? (definition.jsonSchema && spec.schema === undefined ? definition.jsonSchema.name : "from input 'schema'") : 'none'}${request.outputSchema ? ' (native structured output)' : ''}`,
    );
    log.info(
      `tools: ${tools.definitions.map((tool) => tool.name).join(', ') || 'none'}; max-turns ${spec.maxTurns}; max-cost-usd ${spec.maxCostUsd ?? 'none'}`,
    );
    log.info(
      `provider: ${spec.provider}${spec.provider === 'replay' || spec.record ? ` (${relative(spec.workspace, recordingsPath) || recordingsPath})` : spec.baseUrl ? ` (${redactUrl(spec.baseUrl)})` : ''}; cache ${plan.useCache ? 'on' : 'off'}; fingerprint ${plan.fingerprint}`,
    );
  });
}

type Answer = Omit<RunPromptResult, 'promptVersion' | 'contentHash' | 'fingerprint' | 'responseFile'>;

async function answerFromCache(
  spec: RunPromptSpec,
  fingerprint: string,
  responseFile: string,
  log: Log,
  step: JournaledStep,
): Promise<Answer | undefined> {
  const { lookupCachedResult } = await import('./response-cache.js');
  const cached = await lookupCachedResult(fingerprint, { log, cache: spec.ports.cache, root: spec.workspace });
  if (!cached) return undefined;
  log.info(`cache hit for ${fingerprint}: no model call (original cost $${cached.originalCostUsd.toFixed(4)})`);
  step.append({
    type: 'model.call',
    provider: 'cache',
    model: cached.model,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0,
    latencyMs: 0,
    fingerprint,
    stopReason: cached.stopReason ?? undefined,
    retries: 0,
    cacheHit: true,
  });
  if (!spec.noResponseFile) writeResponseFile(responseFile, { ...cached, cacheHit: true });
  return {
    text: cached.text,
    json: cached.json,
    hasJson: cached.json !== undefined,
    stopReason: cached.stopReason,
    model: cached.model,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    cacheHit: true,
    toolCalls: 0,
    modelCalls: 0,
  };
}

/** The tool loop, and — for a JSON reply — the one bounded repair loop around it (structured.ts). */
async function converse(
  spec: RunPromptSpec,
  plan: CallPlan,
  caller: ModelCaller,
  log: Log,
  step: JournaledStep,
): Promise<{ final: ModelResponse; json: unknown; toolCalls: number; transcript: Anthropic.MessageParam[] }> {
  let toolCalls = 0;
  const turn = (request: ModelRequest): Promise<ToolLoopResult> =>
    runToolLoop({
      request,
      tools: plan.tools,
      call: caller,
      limits: { maxTurns: spec.maxTurns },
      allowTruncation: spec.allowTruncation,
      onToolCall: (record) => {
        toolCalls += 1;
        logToolCall(log, step, record);
      },
    });
  if (!plan.wantsJson) {
    const loop = await turn(plan.request);
    return { final: loop.final, json: undefined, toolCalls, transcript: loop.messages };
  }
  const { schema } = plan;
  const result = await runStructured({
    request: plan.request,
    validate: schema ? (value) => schema.validate(value) : undefined,
    maxRepairs: spec.maxRepairs,
    turn,
    // The last invalid reply is the step's error; a warning for it too would annotate it twice.
    onInvalid: (attempt, errors) => {
      if (attempt <= spec.maxRepairs)
        log.warning(`reply ${attempt} is not valid structured output: ${errors.slice(0, 5).join('; ')}`);
    },
  });
  return { final: result.final, json: result.value, toolCalls, transcript: result.messages };
}

function logToolCall(log: Log, step: JournaledStep, record: ToolCallRecord): void {
  const outcome = record.error ? `error: ${summarize(record.error, 120)}` : summarize(record.output ?? '', 120);
  log.info(`tool ${record.tool}(${summarize(JSON.stringify(record.input), 120)}) → ${outcome}`);
  step.append({
    type: 'tool.call',
    tool: record.tool,
    input: record.input,
    output: record.output,
    error: record.error,
    durationMs: record.durationMs,
  });
}

function writeResponseFile(path: string, content: object): void {
  mkdirSync(dirname(path), { recursive: true });
  // Redacted while written (no parse-and-walk copy of the whole transcript).
  writeFileSync(path, `${redactedJson(content, 2)}\n`);
}
