import { basename } from 'node:path';
import * as core from '@actions/core';
import { runPrompt, type RunPromptResult, type RunPromptSpec } from '../ai/run-prompt.js';
import { actionsIo } from '../io/actions-io.js';
import { readGitHubContext } from '../io/github-context.js';
import type { StepIo } from '../io/io.js';
import { inJournaledStep, summarize } from '../runs/step.js';
import { runPromptSpec } from './run-prompt-inputs.js';
import { runnerPorts } from '../ports/runner.js';
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

/** One journaled run-prompt step: the action and the CLI both run this. */
export async function runPromptStep(io: StepIo, spec: RunPromptSpec): Promise<RunPromptResult> {
  return inJournaledStep(
    `run-prompt ${spec.promptFile ? basename(spec.promptFile) : 'inline'}`,
    'run-prompt',
    async (step) => {
      const result = await runPrompt(spec, io, step);
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
  const env = process.env;
  const { spec, secrets } = runPromptSpec((name) => core.getInput(name), {
    env,
    github: readGitHubContext(),
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    ports: runnerPorts(env),
  });
  for (const secret of secrets) actionsIo.setSecret(secret);
  await runPromptStep(actionsIo, spec);
}
