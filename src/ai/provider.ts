import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type Anthropic from '@anthropic-ai/sdk';
import { UserError } from '../shared/errors.js';
import { textOf, usageOf } from './messages.js';
import { requestFingerprint } from './fingerprint.js';
import type { ModelRequest, ModelResponse } from './types.js';

/** Anything that answers a Messages request: the live API, a replay file, a recorder around either. */
export type ModelCaller = (request: ModelRequest) => Promise<ModelResponse>;

export const RECORDINGS_FORMAT = 'autostack.recordings/v1';

export interface Recording {
  recordedAt: string;
  model: string;
  /** The last user turn, cut short: lets a reviewer see what a recording answers. */
  prompt: string;
  message: Anthropic.Message;
}
export interface RecordingsFile {
  format: typeof RECORDINGS_FORMAT;
  recordings: Record<string, Recording>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** What replay reads of a recorded message (recordings-schema.ts says the same in zod, for the errors). */
function isRecordedMessage(value: unknown): boolean {
  if (!isObject(value) || typeof value.model !== 'string') return false;
  if (value.stop_reason !== null && typeof value.stop_reason !== 'string') return false;
  const { content, usage } = value;
  const block = (entry: unknown) =>
    isObject(entry) && typeof entry.type === 'string' && (entry.text === undefined || typeof entry.text === 'string');
  return (
    Array.isArray(content) &&
    content.every(block) &&
    isObject(usage) &&
    typeof usage.input_tokens === 'number' &&
    typeof usage.output_tokens === 'number'
  );
}

/**
 * A well-formed file is checked by hand, so replay does not load zod at start; only a file that
 * fails is parsed with zod (recordings-schema.ts), whose first issue the error names.
 */
function wellFormed(raw: unknown): RecordingsFile | undefined {
  if (!isObject(raw) || raw.format !== RECORDINGS_FORMAT || !isObject(raw.recordings)) return undefined;
  const recordings: Record<string, Recording> = {};
  for (const [key, entry] of Object.entries(raw.recordings)) {
    if (!isObject(entry) || !isRecordedMessage(entry.message)) return undefined;
    const { recordedAt, model, prompt, message } = entry;
    if (typeof recordedAt !== 'string' || typeof model !== 'string' || typeof prompt !== 'string') return undefined;
    recordings[key] = { recordedAt, model, prompt, message: message as Anthropic.Message };
  }
  return { format: RECORDINGS_FORMAT, recordings };
}

export async function readRecordings(path: string): Promise<RecordingsFile> {
  if (!existsSync(path)) return { format: RECORDINGS_FORMAT, recordings: {} };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError(`${path}: the recordings file is not valid JSON (${(error as Error).message}).`, {
      file: path,
    });
  }
  const file = wellFormed(raw);
  if (file) return file;
  const { recordingsFileSchema } = await import('./recordings-schema.js');
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
  let read: Promise<RecordingsFile> | undefined;
  return async (request) => {
    const file = await (read ??= readRecordings(recordingsPath));
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
    const file = await readRecordings(recordingsPath);
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
