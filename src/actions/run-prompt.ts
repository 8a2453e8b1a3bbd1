import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { runPrompt, type RunPromptResult, type RunPromptSpec } from '../ai/run-prompt.js';
import { withSchemaEngine } from '../prompts/engine.js';
import { actionsIo } from '../io/actions-io.js';
import type { StepIo } from '../io/io.js';
import { inJournaledStep, summarize } from '../runs/step.js';
import { redact } from '../shared/redact.js';
import { runPromptSpec } from './run-prompt-inputs.js';
import { actionSpec } from './action-spec.js';
import { setActionOutputs } from './outputs.js';

/** Step outputs share a 1 MB budget per job; past this the full text is in response-file. */
const MAX_OUTPUT_CHARS = 256 * 1024;

export function setRunPromptOutputs(io: StepIo, result: RunPromptResult): void {
  const text = result.text.length > MAX_OUTPUT_CHARS ? result.text.slice(0, MAX_OUTPUT_CHARS) : result.text;
  if (text !== result.text)
    io.warning(
      `The reply is ${result.text.length} characters; output 'text' holds the first ${MAX_OUTPUT_CHARS}. Read response-file for all of it.`,
    );
  setActionOutputs(io, 'run-prompt', {
    text,
    json: result.hasJson ? JSON.stringify(result.json) : undefined,
    'response-file': result.responseFile,
    'stop-reason': result.stopReason ?? '',
    model: result.model,
    'input-tokens': String(result.inputTokens),
    'output-tokens': String(result.outputTokens),
    'cost-usd': result.costUsd.toFixed(6),
    'prompt-version': result.promptVersion,
    'content-hash': result.contentHash,
    fingerprint: result.fingerprint,
    'cache-hit': String(result.cacheHit),
    'tool-calls': String(result.toolCalls),
  });
}

/**
 * `response-file-format: text`: the reply text alone next to the JSON response file, and that is
 * the `response-file` output (what actions/ai-inference's response-file held).
 */
function withResponseFileFormat(result: RunPromptResult, spec: RunPromptSpec): RunPromptResult {
  if (spec.responseFileFormat !== 'text') return result;
  const textFile = result.responseFile.replace(/\.json$/, '') + '.txt';
  writeFileSync(textFile, redact(result.text));
  return { ...result, responseFile: textFile };
}

/** One journaled run-prompt step: the action and the CLI both run this. */
export async function runPromptStep(io: StepIo, spec: RunPromptSpec): Promise<RunPromptResult> {
  return inJournaledStep(
    `run-prompt ${spec.promptFile ? basename(spec.promptFile) : 'inline'}`,
    'run-prompt',
    async (step) => {
      const result = withResponseFileFormat(await runPrompt(spec, io, step), spec);
      setRunPromptOutputs(io, result);
      io.info(
        `${result.cacheHit ? 'cache hit' : `${result.modelCalls} model call(s)`}: ${result.inputTokens} in / ${result.outputTokens} out tokens, $${result.costUsd.toFixed(4)}, stop ${result.stopReason ?? 'none'}`,
      );
      return result;
    },
    (result) => summarize(result.hasJson ? JSON.stringify(result.json) : result.text),
  );
}

export async function runPromptMain(): Promise<void> {
  const spec = await withSchemaEngine(() => actionSpec(runPromptSpec));
  const { batch, messageBatch } = spec;
  if (batch) await (await import('./run-prompt-batch.js')).runPromptBatchStep(actionsIo, { ...spec, batch });
  else if (messageBatch)
    await (await import('./run-prompt-batch.js')).runMessageBatchStep(actionsIo, spec, messageBatch);
  else await runPromptStep(actionsIo, spec);
}
