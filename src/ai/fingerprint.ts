import { sha256Hex } from '../shared/sha256.js';
import { canonicalJson } from '../shared/canonical-json.js';
import type { ModelRequest } from './types.js';

export function sha256(text: string): string {
  return `sha256:${sha256Hex(text)}`;
}

/**
 * Identifies one Messages API request by everything that shapes the reply. Replay recordings
 * are keyed by it, so every turn of a tool loop or repair conversation replays on its own.
 */
export function requestFingerprint(request: ModelRequest): string {
  return sha256(canonicalJson({ kind: 'autostack.request/v1', ...request }));
}
