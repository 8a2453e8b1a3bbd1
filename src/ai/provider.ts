import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { UserError } from '../shared/errors.js';
import { textOf, usageOf } from './messages.js';
import { requestFingerprint } from './fingerprint.js';
import type { ModelRequest, ModelResponse } from './types.js';

/** Anything that answers a Messages request: the live API, a replay file, a recorder around either. */
export type ModelCaller = (request: ModelRequest) => Promise<ModelResponse>;

export const RECORDINGS_FORMAT = 'autostack.recordings/v1';

/** The fields replay reads from a recorded Messages API message; the rest is kept as recorded. */
const recordedMessageSchema = z.looseObject({
  model: z.string(),
  stop_reason: z.string().nullable(),
  content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
  usage: z.looseObject({ input_tokens: z.number(), output_tokens: z.number() }),
});

const recordingSchema = z.object({
  recordedAt: z.string(),
  model: z.string(),
  /** The last user turn, cut short: lets a reviewer see what a recording answers. */
  prompt: z.string(),
  message: recordedMessageSchema.transform((message) => message as unknown as Anthropic.Message),
});
const recordingsFileSchema = z.object({
  format: z.literal(RECORDINGS_FORMAT),
  recordings: z.record(z.string(), recordingSchema),
});
type RecordingsFile = z.infer<typeof recordingsFileSchema>;

export function readRecordings(path: string): RecordingsFile {
  if (!existsSync(path)) return { format: RECORDINGS_FORMAT, recordings: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`${path}: the recordings file is not valid JSON (${(error as Error).message}).`, {
      file: path,
    });
  }
  const parsed = recordingsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(
      `${path}: not an autostack recordings file: ${issue?.path.join('.') || 'file'} ${issue?.message ?? ''}`.trim(),
      { file: path },
    );
  }
  return parsed.data;
}

function lastUserText(request: ModelRequest): string {
  const last = [...request.messages].reverse().find((message) => message.role === 'user');
  if (!last) return '';
  const text = typeof last.content === 'string' ? last.content : JSON.stringify(last.content);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function responseFromMessage(message: Anthropic.Message): ModelResponse {
  return {
    model: message.model,
    message,
    text: textOf(message),
    stopReason: message.stop_reason,
    usage: usageOf(message),
    // Nothing was billed for a replayed answer.
    costUsd: 0,
    costKnown: true,
    latencyMs: 0,
    attempts: 0,
    retries: 0,
    requestId: undefined,
  };
}

/**
 * Serves recorded answers by request fingerprint, with no key and no network: the embedded
 * default for the demo and for testing prompts in CI. A request it has not seen is an error
 * that says how to record it, never a silent live call.
 */
export function replayCaller(recordingsPath: string, displayPath: string = recordingsPath): ModelCaller {
  const exists = existsSync(recordingsPath);
  const file = readRecordings(recordingsPath);
  return async (request) => {
    const fingerprint = requestFingerprint(request);
    const recording = file.recordings[fingerprint];
    if (!recording) {
      const why = exists
        ? `${displayPath} has ${Object.keys(file.recordings).length} recording(s), none for this request: the prompt, its variables, model or parameters changed since it was recorded`
        : `the recordings file ${displayPath} does not exist`;
      throw new UserError(
        `No recorded response for this request (request fingerprint ${fingerprint}): ${why}. Record it with \`autostack run-prompt --record …\` and an API key, or set provider to anthropic.`,
        exists ? { file: displayPath } : undefined,
      );
    }
    return responseFromMessage(recording.message);
  };
}

/** Wraps a live caller and writes each answer into the recordings file as it arrives. */
export function recordingCaller(
  inner: ModelCaller,
  recordingsPath: string,
  now: () => Date = () => new Date(),
): ModelCaller {
  return async (request) => {
    const response = await inner(request);
    const file = readRecordings(recordingsPath);
    file.recordings[requestFingerprint(request)] = {
      recordedAt: now().toISOString(),
      model: request.model,
      prompt: lastUserText(request),
      message: response.message,
    };
    mkdirSync(dirname(recordingsPath), { recursive: true });
    // Write-then-rename: a killed recorder never leaves half a recordings file behind.
    const temporary = `${recordingsPath}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`);
    renameSync(temporary, recordingsPath);
    return response;
  };
}

/** `triage.prompt.yml` → `triage.recordings.json`, beside the prompt. */
export function defaultRecordingsPath(promptFile: string | undefined): string {
  if (!promptFile) return '.autostack/recordings.json';
  return promptFile.replace(/(\.prompt)?\.(ya?ml|md|txt)$/i, '') + '.recordings.json';
}
