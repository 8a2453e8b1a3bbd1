/**
 * THE redaction layer. Every sink autostack writes to — log lines, step outputs, the job summary,
 * the journal, run records and artifacts, the response cache, tool results sent back to the
 * model, published events and exported telemetry — passes its text through redact() or
 * redactDeep(). The runner masks registered secrets in the log only; everything we persist is
 * ours to keep clean, so this module is the one place that knows what a secret looks like:
 *
 * - registered values (inputs marked secret, `--secret`, `::add-mask::`), each line on its own;
 * - their derived forms, as GitHub's runner derives them: base64 at the three byte alignments
 *   (so a secret inside a larger base64 blob is caught), base64url, URL-encoded, JSON-escaped;
 * - well-known token shapes, registered or not: Anthropic keys, GitHub tokens, AWS access key
 *   ids and JWTs.
 */
const registered = new Set<string>();
/** Every form to replace, longest first so a longer form is never cut by a shorter one. */
let forms: string[] = [];

/** Values this short would redact ordinary words; the runner applies the same floor. */
const MIN_SECRET_LENGTH = 4;
/** A derived form shorter than this (the trimmed base64 of a short secret) would mask noise. */
const MIN_DERIVED_LENGTH = 6;
export const MASK = '***';

/**
 * Each shape with a substring every match contains: a string without it is not run through the
 * pattern (most strings of a record are short names, numbers and URLs, and a `replace` that
 * finds nothing still allocates).
 */
const TOKEN_SHAPES: ReadonlyArray<{ pattern: RegExp; mayMatch: (text: string) => boolean }> = [
  { pattern: /sk-ant-[A-Za-z0-9_-]{8,}/g, mayMatch: (text) => text.includes('sk-ant-') },
  { pattern: /\bgh[pousr]_[A-Za-z0-9_]{16,}/g, mayMatch: (text) => text.includes('_') && text.includes('gh') },
  { pattern: /\bgithub_pat_[A-Za-z0-9_]{20,}/g, mayMatch: (text) => text.includes('github_pat_') },
  { pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, mayMatch: (text) => text.includes('AKIA') || text.includes('ASIA') },
  {
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
    mayMatch: (text) => text.includes('eyJ'),
  },
];
/** The shortest text a token shape matches (`sk-ant-` and eight characters). */
const SHORTEST_TOKEN = 15;
/** Text shorter than this holds no form and no token: redact() returns it as it is. */
let shortest = SHORTEST_TOKEN;

/**
 * Base64 of the bytes from `shift` on, with the characters that depend on what follows the
 * secret cut off: those are the characters any base64 text containing the secret shares.
 */
function base64Aligned(bytes: Buffer, shift: number): string {
  const encoded = bytes.subarray(shift).toString('base64');
  if (encoded.endsWith('==')) return encoded.slice(0, -3);
  if (encoded.endsWith('=')) return encoded.slice(0, -2);
  return encoded;
}

/** The forms a secret takes once encoded on its way to a sink. */
export function derivedForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const derived = new Set<string>();
  for (let shift = 0; shift < 3 && shift < bytes.length; shift++) {
    const base64 = base64Aligned(bytes, shift);
    derived.add(base64);
    derived.add(base64.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  derived.add(encodeURIComponent(secret));
  derived.add(encodeURIComponent(secret).replace(/%20/g, '+'));
  derived.add(JSON.stringify(secret).slice(1, -1));
  derived.delete(secret);
  return [...derived].filter((form) => form.length >= MIN_DERIVED_LENGTH);
}

export function registerSecret(value: string | undefined): void {
  if (!value) return;
  let added = false;
  for (const part of [value, ...value.split(/\r?\n/)]) {
    const trimmed = part.trim();
    if (trimmed.length < MIN_SECRET_LENGTH || registered.has(trimmed)) continue;
    registered.add(trimmed);
    added = true;
  }
  if (!added) return;
  const all = new Set<string>();
  for (const secret of registered) {
    all.add(secret);
    for (const form of derivedForms(secret)) all.add(form);
  }
  forms = [...all].sort((a, b) => b.length - a.length);
  shortest = Math.min(SHORTEST_TOKEN, forms.at(-1)?.length ?? SHORTEST_TOKEN);
}

/** True when text holds a registered secret, a derived form of one or a known token shape. */
export function containsSecret(text: string): boolean {
  return redact(text) !== text;
}

export function redact(text: string): string {
  if (text.length < shortest) return text;
  let result = text;
  for (let index = 0; index < forms.length; index++) {
    const form = forms[index] as string;
    if (result.includes(form)) result = result.split(form).join(MASK);
  }
  // Indexed loops: redact() runs for every string of a record, before V8 has optimized anything.
  for (let index = 0; index < TOKEN_SHAPES.length; index++) {
    const { pattern, mayMatch } = TOKEN_SHAPES[index] as (typeof TOKEN_SHAPES)[number];
    if (mayMatch(result)) result = result.replace(pattern, MASK);
  }
  return result;
}

/**
 * Redacts a private JSON copy in place, allocating only where something changes: a string is
 * replaced where it held a secret, and an object is rebuilt only when one of its keys did
 * (Object.fromEntries, so a redacted key that now equals another keeps the later value).
 */
function redactCopy(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const inner: unknown = value[index];
      const clean = redactCopy(inner);
      if (clean !== inner) value[index] = clean;
    }
    return value;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.some((key) => redact(key) !== key))
    return Object.fromEntries(keys.map((key) => [redact(key), redactCopy(object[key])]));
  for (const key of keys) {
    const inner = object[key];
    const clean = redactCopy(inner);
    if (clean !== inner) object[key] = clean;
  }
  return object;
}

/**
 * Redacts every string (keys too) inside a value, returning a JSON-compatible copy: what
 * JSON.stringify would write, so Dates become strings and undefined members disappear.
 */
export function redactDeep<T>(value: T): T {
  if (value === undefined) return value;
  return redactCopy(JSON.parse(JSON.stringify(value)) as unknown) as T;
}

/**
 * The JSON text of a value with every string redacted: the same text as
 * `JSON.stringify(redactDeep(value), null, indent)`, without the copy (JSON.stringify hands each
 * string to the replacer after toJSON, as the copy would hold it). Keys cannot be renamed from a
 * replacer, so a value with a key that holds a secret (rare) takes the copying path.
 */
export function redactedJson(value: object, indent?: number): string {
  let keyChanged = false;
  const text = JSON.stringify(
    value,
    (_key, inner: unknown) => {
      if (typeof inner === 'string') return redact(inner);
      if (inner === null || typeof inner !== 'object') return inner;
      // JSON.stringify writes a String object as its string.
      if (inner instanceof String) return redact(inner.valueOf());
      if (!keyChanged && !Array.isArray(inner)) keyChanged = Object.keys(inner).some((key) => redact(key) !== key);
      return inner;
    },
    indent,
  );
  return keyChanged ? JSON.stringify(redactDeep(value), null, indent) : text;
}

/**
 * For exporters (OpenTelemetry span and log attributes): string values redacted, numbers and
 * booleans kept, so one call cleans an attribute map before it leaves the process.
 */
export function redactAttributes<T extends Record<string, unknown>>(attributes: T): T {
  return Object.fromEntries(
    Object.entries(attributes).map(([key, value]) => [
      key,
      typeof value === 'string'
        ? redact(value)
        : Array.isArray(value)
          ? value.map((item: unknown) => (typeof item === 'string' ? redact(item) : item))
          : value,
    ]),
  ) as T;
}

/** Removes credentials from a URL before it is logged or recorded. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = MASK;
    return redact(parsed.toString());
  } catch {
    return redact(url);
  }
}
