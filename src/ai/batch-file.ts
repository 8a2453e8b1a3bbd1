// The batch file formats, shared by run-prompt's `batch-file` and `mode: message-batches`: JSON Lines
// of variable sets in, JSON Lines of results out. The results file is also the checkpoint a re-run
// resumes from, so reading it tolerates the half-written last line of a killed run.
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../shared/errors.js';

/** One variable set from the input file. */
export interface BatchItem {
  id: string;
  variables: Record<string, string>;
  /** 1-based line in the input file. */
  line: number;
}

/** One line of the results file. */
export interface BatchResult {
  id: string;
  status: 'ok' | 'error';
  /** The step outputs for the item: text, json (parsed) when a schema applies, stop-reason, model, cache-hit. */
  outputs: Record<string, unknown>;
  tokens: { input: number; output: number };
  costUsd: number;
  /** One line; only on status error. */
  error?: string;
}

const SHAPES = 'each line must be a JSON object: {"id": "<string>", "variables": {...}} or an object of variables';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{id?, variables}` with nothing else is the explicit form; any other object is the variables themselves. */
function isExplicitForm(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return 'variables' in value && keys.every((key) => key === 'id' || key === 'variables');
}

function variableText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function parseLine(text: string, line: number, where: string, input: string): BatchItem {
  const fail = (problem: string): never => {
    throw new InputError(input, `names ${where}, whose line ${line} ${problem}; ${SHAPES}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(`is not valid JSON (${(error as Error).message.split('\n')[0] ?? 'parse error'})`);
  }
  if (!isObject(value)) return fail(`is ${Array.isArray(value) ? 'an array' : `a ${typeof value}`}, not an object`);
  let id = `line-${line}`;
  let variables: Record<string, unknown> = value;
  if (isExplicitForm(value)) {
    if (value.id !== undefined && (typeof value.id !== 'string' || value.id.trim() === ''))
      return fail('has an "id" that is not a non-empty string');
    if (!isObject(value.variables)) return fail('has "variables" that is not an object');
    if (typeof value.id === 'string') id = value.id;
    variables = value.variables;
  }
  return {
    id,
    line,
    variables: Object.fromEntries(Object.entries(variables).map(([key, entry]) => [key, variableText(entry)])),
  };
}

/**
 * Parses a whole input file before anything is sent: blank lines are skipped, a bad line or a
 * repeated id is one error naming the file and line. `where` is the path as the user gave it.
 */
export function parseBatchFile(text: string, where: string, input = 'batch-file'): BatchItem[] {
  const items: BatchItem[] = [];
  const seen = new Map<string, number>();
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed === '') return;
    const item = parseLine(trimmed, index + 1, where, input);
    const first = seen.get(item.id);
    if (first !== undefined)
      throw new InputError(
        input,
        `names ${where}, whose line ${item.line} repeats id '${item.id}' (first on line ${first}); ids must be unique`,
      );
    seen.set(item.id, item.line);
    items.push(item);
  });
  return items;
}

/** The items of a batch file (absolute `file`, `shown` as the user typed it): none is an error. */
export function readBatchItems(file: string, shown: string): BatchItem[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError(
      'batch-file',
      `names a file that cannot be read: ${shown} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  const items = parseBatchFile(text, shown);
  if (items.length === 0)
    throw new InputError('batch-file', `names ${shown}, which holds no items (one JSON object per line)`);
  return items;
}

/** One result as its line: a single write of this string appends one whole line. */
export function formatResultLine(result: BatchResult): string {
  const error = result.error === undefined ? {} : { error: result.error.replace(/\s*\n\s*/g, ' ') };
  return `${JSON.stringify({ ...result, ...error })}\n`;
}

function parseResultLine(text: string): BatchResult | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (!isObject(value) || typeof value.id !== 'string' || (value.status !== 'ok' && value.status !== 'error'))
      return undefined;
    return value as unknown as BatchResult;
  } catch {
    return undefined;
  }
}

/**
 * Reads a results file as a checkpoint. A last line without its newline is what a killed run left
 * mid-write: it is cut off the file. Lines that are not results are kept but not counted.
 */
export function readBatchResults(path: string): { results: Map<string, BatchResult>; droppedPartial: boolean } {
  const results = new Map<string, BatchResult>();
  if (!existsSync(path)) return { results, droppedPartial: false };
  const text = readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  const droppedPartial = end < text.length;
  if (droppedPartial) {
    const fd = openSync(path, 'r+');
    try {
      ftruncateSync(fd, Buffer.byteLength(text.slice(0, end)));
    } finally {
      closeSync(fd);
    }
  }
  for (const line of text.slice(0, end).split('\n')) {
    const result = line.trim() === '' ? undefined : parseResultLine(line);
    if (result) results.set(result.id, result);
  }
  return { results, droppedPartial };
}

/**
 * Rewrites the results file with only the `ok` results, in the order given: failed items are tried
 * again by this run and get a fresh line. Written beside and renamed, so a kill leaves one or the other.
 */
export function keepFinishedResults(path: string, finished: BatchResult[]): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temporary, finished.map(formatResultLine).join(''));
  renameSync(temporary, path);
}
