// redact() skips strings that cannot hold a secret, redactDeep() rewrites only what changes and
// redactedJson() redacts while JSON.stringify writes: all must give exactly what the plain versions give (every form of every registered secret and
// every token shape replaced in every string and key). The reference below is redact.ts as it
// was before those shortcuts (round 3), registered with the same secrets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fc } from './settings.js';
import { derivedForms, MASK, redact, redactDeep, redactedJson, registerSecret } from '../../src/shared/redact.js';

const reference = {
  registered: new Set<string>(),
  forms: [] as string[],
  register(value: string): void {
    let added = false;
    for (const part of [value, ...value.split(/\r?\n/)]) {
      const trimmed = part.trim();
      if (trimmed.length < 4 || this.registered.has(trimmed)) continue;
      this.registered.add(trimmed);
      added = true;
    }
    if (!added) return;
    const all = new Set<string>();
    for (const secret of this.registered) {
      all.add(secret);
      for (const form of derivedForms(secret)) all.add(form);
    }
    this.forms = [...all].sort((a, b) => b.length - a.length);
  },
  shapes: [
    /sk-ant-[A-Za-z0-9_-]{8,}/g,
    /\bgh[pousr]_[A-Za-z0-9_]{16,}/g,
    /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
    /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
    /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  ],
  redact(text: string): string {
    let result = text;
    for (const form of this.forms) if (result.includes(form)) result = result.split(form).join(MASK);
    for (const shape of this.shapes) result = result.replace(shape, MASK);
    return result;
  },
  value(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((inner) => this.value(inner));
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, inner]) => [this.redact(key), this.value(inner)]));
    return value;
  },
  deep(value: unknown): unknown {
    return value === undefined ? value : this.value(JSON.parse(JSON.stringify(value)) as unknown);
  },
};

const secret = fc.oneof(
  fc.string({ minLength: 1, maxLength: 24 }),
  fc.constantFrom('hunter22', 'ab', 'line-one-key\nline-two-key', 'tok=en/with+chars?', 'ümlaut-secret', '  padded  '),
);
const tokens = [
  'sk-ant-abcdefgh',
  'sk-ant-api03-abcdefgh',
  'ghp_0123456789abcdefghij',
  'ghs_0123456789abcdefghij0123',
  'github_pat_11ABCDEFG0123456789_ab',
  'AKIAIOSFODNN7EXAMPLE',
  'ASIAIOSFODNN7EXAMPLE',
  'eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.dozjgNryP4J3',
];
/** Text made of pieces that come near a match: secrets and their forms, token shapes, their prefixes. */
function text(secrets: string[]): fc.Arbitrary<string> {
  const forms = secrets.flatMap((value) => [value, ...derivedForms(value)]);
  const pieces = [
    ...forms,
    ...forms.map((form) => form.slice(1)),
    ...tokens,
    ...tokens.map((token) => token.slice(0, -3)),
    'gh',
    '_',
    'sk-ant-',
    'eyJ',
    'AKIA',
    '***',
    ' ',
    'https://github.com/octo/repo',
  ];
  return fc
    .array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 8 })), { maxLength: 6 })
    .map((parts) => parts.join(''));
}
function value(secrets: string[]): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(text(secrets), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined));
  const key = fc.oneof(text(secrets), fc.constantFrom('__proto__', 'toJSON', '0', '12', 'name'));
  return fc.letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('node'), { maxLength: 4 }),
      // fromEntries: `__proto__` becomes an own key, as JSON.parse makes it.
      fc.array(fc.tuple(key, tie('node')), { maxLength: 4 }).map((entries) => Object.fromEntries(entries)),
      fc.constant(new Date(0)),
      // What JSON.stringify turns into something else before the replacer sees it, or after.
      text(secrets).map((value) => new String(value)),
      fc.tuple(key, text(secrets)).map(([name, value]) => ({ toJSON: () => ({ [name]: value }) })),
    ),
  })).node;
}

/** Registers the secrets with both, then checks the value and, when it is a string, redact() alone. */
function check([secrets, input]: [string[], unknown]): void {
  for (const item of secrets) {
    registerSecret(item);
    reference.register(item);
  }
  const expected = reference.deep(input);
  const actual = redactDeep(input);
  assert.deepEqual(actual, expected);
  assert.equal(JSON.stringify(actual, null, 2), JSON.stringify(expected, null, 2));
  if (typeof input === 'string') assert.equal(redact(input), reference.redact(input));
  if (input !== null && typeof input === 'object')
    for (const indent of [undefined, 2])
      assert.equal(redactedJson(input, indent), JSON.stringify(expected, null, indent));
}
const withSecrets = <T>(of: (secrets: string[]) => fc.Arbitrary<T>) =>
  fc.array(secret, { maxLength: 2 }).chain((secrets) => fc.tuple(fc.constant(secrets), of(secrets)));

// First, while no secret is registered: only the token shapes apply, and the length floor is theirs.
test('before any secret is registered, redact and redactDeep mask the token shapes as the plain walk does', () => {
  fc.assert(fc.property(fc.tuple(fc.constant([] as string[]), fc.oneof(text([]), value([]))), check));
});

test('redact and redactDeep give what the plain walk over every form and token shape gives', () => {
  fc.assert(fc.property(withSecrets(value), check));
});

test('redact gives what the plain walk gives for every string near a form or token', () => {
  fc.assert(fc.property(withSecrets(text), check));
});
