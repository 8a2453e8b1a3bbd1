import { createHash } from 'node:crypto';
import type { ModelRequest } from './types.js';

/** JSON with object keys sorted, so equal values always hash alike. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, entry]) => entry !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
}

export function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/**
 * Identifies one Messages API request by everything that shapes the reply. Replay recordings
 * are keyed by it, so every turn of a tool loop or repair conversation replays on its own.
 */
export function requestFingerprint(request: ModelRequest): string {
  return sha256(canonicalJson({ kind: 'autostack.request/v1', ...request }));
}
