// The PATH shim's folder name: 64-bit FNV-1a in 32-bit halves gives BigInt arithmetic's digits.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fc } from './settings.js';
import { pathHash } from '../../src/actions/cli-on-path.js';

function bigIntFnv(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text)) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash.toString(16).padStart(16, '0').slice(0, 12);
}

test('pathHash is the 64-bit FNV-1a of the UTF-8 bytes (first 12 hex digits), as BigInt computes it', () => {
  // Published FNV-1a 64 vectors: '' and 'a'.
  assert.equal(pathHash(''), 'cbf29ce48422');
  assert.equal(pathHash('a'), 'af63dc4c8601');
  assert.equal(
    pathHash('/home/runner/work/_actions/o/autostack/v1/dist/cli/index.js'),
    bigIntFnv('/home/runner/work/_actions/o/autostack/v1/dist/cli/index.js'),
  );
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => assert.equal(pathHash(text), bigIntFnv(text))),
  );
});
