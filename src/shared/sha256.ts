import { lightSha256Hex } from './sha256-light.js';

/**
 * Hashes after which node:crypto is worth its load (a batch); one event makes three. node:crypto's
 * first load builds its algorithm tables, about 20 ms of an action's start on Node 24; the few
 * hashes of one step (an event's id and traceparent, a prompt's content hash and request
 * fingerprint) go through sha256-light.ts (JavaScript that allocates nothing per operation in
 * V8's interpreter) instead. Same digest.
 */
const LIGHT_HASHES = 32;
let hashes = 0;

export function sha256Hex(text: string): string {
  if (++hashes <= LIGHT_HASHES) return lightSha256Hex(text);
  // Node's one-shot hash (20.12+) is several times faster than a Hash object for short inputs, and
  // every event hashes twice (id, traceparent): 200,000 hashes took 0.2-0.3 s against 0.8-2.2 s.
  const crypto = process.getBuiltinModule('node:crypto');
  return typeof crypto.hash === 'function'
    ? crypto.hash('sha256', text, 'hex')
    : crypto.createHash('sha256').update(text).digest('hex');
}
