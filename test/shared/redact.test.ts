import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containsSecret, redact, redactAttributes, redactDeep, registerSecret } from '../../src/shared/redact.js';
import { base64At, sentinelForms } from '../security/sweep-helpers.js';

const SECRET = 'unit-redact-secret-"quoted"/path?x=1&y=2';
registerSecret(SECRET);

test('a registered secret is masked raw, JSON-escaped, URL-encoded and in base64 at every alignment', () => {
  for (const form of sentinelForms(SECRET)) assert.equal(redact(`before ${form} after`).includes(form), false, form);
  for (let offset = 0; offset < 6; offset++) {
    const blob = base64At(SECRET, offset);
    assert.ok(containsSecret(blob), `base64 with the secret at byte offset ${offset}`);
    assert.ok(
      containsSecret(Buffer.from(`${'y'.repeat(offset)}${SECRET}`).toString('base64url')),
      `base64url at offset ${offset}`,
    );
  }
  assert.equal(redact(JSON.stringify({ value: SECRET })), '{"value":"***"}');
});

test('each line of a multi-line secret is masked on its own', () => {
  registerSecret('first-line-of-a-key\nsecond-line-of-a-key');
  assert.equal(redact('x second-line-of-a-key y'), 'x *** y');
});

test('known token shapes are masked without being registered', () => {
  const tokens = [
    'sk-ant-api03-abcdefghijklmnop',
    'ghp_0123456789abcdefghijABCDEFGHIJ012345',
    'ghs_0123456789abcdefghij0123',
    'gho_0123456789abcdefghij0123',
    'ghu_0123456789abcdefghij0123',
    'ghr_0123456789abcdefghij0123',
    'github_pat_11ABCDEFG0123456789_abcdefghijklmnop',
    'AKIAIOSFODNN7EXAMPLE',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  ];
  for (const token of tokens) assert.equal(redact(`auth: ${token}.`), 'auth: ***.', token);
  // Ordinary text that merely starts alike is left alone.
  for (const text of ['ghp_short', 'the AKIA prefix', 'eyJ alone', 'sk-ant-']) assert.equal(redact(text), text);
});

test('short values are not registered (they would mask ordinary words)', () => {
  registerSecret('abc');
  assert.equal(redact('abc abcdef'), 'abc abcdef');
});

test('redactDeep masks strings and keys at any depth and keeps other values', () => {
  const value = { [SECRET]: 1, nested: [{ text: `say ${SECRET}` }, 2, true, null], when: new Date(0) };
  assert.deepEqual(redactDeep(value), {
    '***': 1,
    nested: [{ text: 'say ***' }, 2, true, null],
    when: '1970-01-01T00:00:00.000Z',
  });
  assert.equal(redactDeep(undefined), undefined);
});

test('redactAttributes cleans an exporter attribute map', () => {
  assert.deepEqual(
    redactAttributes({
      'http.url': `https://x/?k=${encodeURIComponent(SECRET)}`,
      'gen_ai.usage.input_tokens': 3,
      tags: [SECRET, 4],
    }),
    {
      'http.url': 'https://x/?k=***',
      'gen_ai.usage.input_tokens': 3,
      tags: ['***', 4],
    },
  );
});
