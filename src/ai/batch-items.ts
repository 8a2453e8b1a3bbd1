import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '../shared/errors.js';

/**
 * The batch file format, shared by both batch modes (live `messages` calls and the Message
 * Batches API): JSON Lines in, JSON Lines out. Pure parsing and formatting, no I/O beyond
 * reading the two files, so either runner can use it.
 *
 * Input line: `{"id": "<string>", "variables": {...}}`, or a plain object of variables (its id
 * is then `line-<1-based line number>`). Blank lines are skipped.
 * Result line: `{"id", "status": "ok"|"error", "outputs": {...}, "tokens": {"input", "output"},
 * "costUsd", "error"?}`.
 */
export interface BatchItem {
  id: string;
  /** Variable values as the template takes them: non-strings become JSON, like the `input` input. */
  variables: Record<string, string>;
  /** 1-based line of the batch file, for messages. */
  line: number;
}

export interface BatchResultLine {
  id: string;
  status: 'ok' | 'error';
  outputs: Record<string, unknown>;
  tokens: { input: number; output: number };
  costUsd: number;
  error?: string;
}

/** `items.jsonl` → `items.results.jsonl`; a name without `.jsonl` gets `.results.jsonl` appended. */
export function defaultResultsPath(batchFile: string): string {
  return batchFile.endsWith('.jsonl')
    ? `${batchFile.slice(0, -'.jsonl'.length)}.results.jsonl`
    : `${batchFile}.results.jsonl`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function variableText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** One line of the batch file as an item; a problem is one error naming file:line. */
function parseItemLine(raw: string, line: number, file: string): BatchItem {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new UserError(`${file}:${line}: not valid JSON (${(error as Error).message}).`);
  }
  if (!isRecord(value))
    throw new UserError(
      `${file}:${line}: expected a JSON object ({"id": "...", "variables": {...}} or an object of variables).`,
    );
  const wrapped = 'variables' in value;
  if (wrapped) {
    const extra = Object.keys(value).filter((key) => key !== 'id' && key !== 'variables');
    if (extra.length > 0)
      throw new UserError(
        `${file}:${line}: unexpected field '${extra[0]}' beside "variables" (only "id" may go with it).`,
      );
    if (!isRecord(value.variables)) throw new UserError(`${file}:${line}: "variables" must be a JSON object.`);
    if (value.id !== undefined && (typeof value.id !== 'string' || value.id === ''))
      throw new UserError(`${file}:${line}: "id" must be a non-empty string.`);
  }
  const variables = wrapped ? (value.variables as Record<string, unknown>) : value;
  const id = wrapped && typeof value.id === 'string' ? value.id : `line-${line}`;
  return {
    id,
    line,
    variables: Object.fromEntries(Object.entries(variables).map(([name, entry]) => [name, variableText(entry)])),
  };
}

/** Every item of a batch file, in order; duplicate ids are an error naming both lines. */
export function parseBatchItems(text: string, file: string): BatchItem[] {
  const items: BatchItem[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    const item = parseItemLine(raw, index + 1, file);
    const first = seen.get(item.id);
    if (first !== undefined)
      throw new UserError(
        `${file}:${item.line}: id '${item.id}' is already used on line ${first}; ids must be unique.`,
      );
    seen.set(item.id, item.line);
    items.push(item);
  }
  if (items.length === 0) throw new UserError(`${file}: the batch file holds no items (one JSON object a line).`);
  return items;
}

export function formatResultLine(result: BatchResultLine): string {
  const { id, status, outputs, tokens, costUsd, error } = result;
  return JSON.stringify({ id, status, outputs, tokens, costUsd, ...(error !== undefined ? { error } : {}) });
}

/**
 * The result lines already written, by id (the last line for an id wins). Unreadable lines are
 * skipped: a run killed mid-write leaves at most a torn last line, and that item simply runs again.
 */
export function readResultLines(path: string): Map<string, BatchResultLine> {
  const results = new Map<string, BatchResultLine>();
  if (!existsSync(path)) return results;
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    if (raw.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(raw);
      if (isRecord(value) && typeof value.id === 'string' && (value.status === 'ok' || value.status === 'error'))
        results.set(value.id, value as unknown as BatchResultLine);
    } catch {
      continue;
    }
  }
  return results;
}
