import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { fc } from './settings.js';
import { requestFingerprint } from '../../src/ai/fingerprint.js';
import type { ModelRequest } from '../../src/ai/types.js';
import { canonicalJson } from '../../src/shared/canonical-json.js';

/** The same value with every object's keys in another order (a seeded shuffle, all the way down). */
function reorder(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item, index) => reorder(item, seed + index));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  let state = seed >>> 0 || 1;
  for (let i = entries.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const j = state % (i + 1);
    [entries[i], entries[j]] = [entries[j] as [string, unknown], entries[i] as [string, unknown]];
  }
  // defineProperty, so a '__proto__' key stays an own key as JSON.parse makes it.
  const out = {};
  for (const [key, item] of entries)
    Object.defineProperty(out, key, {
      value: reorder(item, state + key.length),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

// JSON has one zero: -0 serialises as 0, so compare values as JSON would.
const json = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown);

test('key order never changes canonical JSON', () => {
  fc.assert(
    fc.property(json, fc.integer(), (value, seed) => {
      assert.equal(canonicalJson(reorder(value, seed)), canonicalJson(value));
    }),
  );
});

test('canonical JSON parses back to a deep-equal value', () => {
  fc.assert(
    fc.property(json, (value) => {
      assert.deepStrictEqual(JSON.parse(canonicalJson(value)), value);
    }),
  );
});

test('two values have the same canonical JSON exactly when they are deep-equal', () => {
  fc.assert(
    fc.property(json, json, (a, b) => {
      assert.equal(canonicalJson(a) === canonicalJson(b), isDeepStrictEqual(a, b));
    }),
  );
});

/** Replaces one leaf (chosen by `pick`) with `replacement`; undefined when the value has no leaf. */
function changeOneLeaf(value: unknown, pick: number, replacement: unknown): unknown {
  const leaves: Array<(next: unknown) => unknown> = [];
  const walk = (node: unknown, rebuild: (next: unknown) => unknown): void => {
    if (Array.isArray(node))
      node.forEach((item, i) => walk(item, (next) => rebuild(node.map((x, k) => (k === i ? next : x)))));
    else if (node !== null && typeof node === 'object')
      for (const key of Object.keys(node))
        walk((node as Record<string, unknown>)[key], (next) => rebuild({ ...node, [key]: next }));
    else leaves.push(rebuild);
  };
  walk(value, (next) => next);
  return leaves.length ? leaves[pick % leaves.length]?.(replacement) : replacement;
}

const request: fc.Arbitrary<ModelRequest> = fc.record(
  {
    model: fc.string({ minLength: 1 }),
    system: fc.string(),
    messages: fc.array(
      fc.record({ role: fc.constantFrom('user' as const, 'assistant' as const), content: fc.string() }),
      { minLength: 1, maxLength: 4 },
    ),
    maxTokens: fc.integer({ min: 1, max: 64000 }),
    temperature: fc.double({ min: 0, max: 1, noNaN: true }),
    stopSequences: fc.array(fc.string(), { maxLength: 3 }),
    outputSchema: fc.dictionary(fc.string(), json, { maxKeys: 4 }),
  },
  { requiredKeys: ['model', 'messages', 'maxTokens'] },
);

test('a request fingerprint ignores key order but changes with any value in the request', () => {
  fc.assert(
    fc.property(request, fc.integer(), fc.nat(), fc.oneof(json, fc.string()), (req, seed, pick, replacement) => {
      const plain = JSON.parse(JSON.stringify(req)) as ModelRequest;
      assert.equal(requestFingerprint(reorder(plain, seed) as ModelRequest), requestFingerprint(plain));
      const changed = changeOneLeaf(plain, pick, replacement) as ModelRequest;
      fc.pre(!isDeepStrictEqual(changed, plain));
      assert.notEqual(requestFingerprint(changed), requestFingerprint(plain));
    }),
  );
});
