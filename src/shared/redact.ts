/**
 * Process-wide registry of secret values. The runner masks secrets in the log only; outputs,
 * journals, run records and artifacts are ours to keep clean, so everything we persist goes
 * through redact().
 */
const secrets = new Set<string>();

/** Values this short would redact ordinary words; the runner applies the same floor. */
const MIN_SECRET_LENGTH = 4;

export function registerSecret(value: string | undefined): void {
  if (!value) return;
  for (const part of [value, ...value.split(/\r?\n/)]) {
    const trimmed = part.trim();
    if (trimmed.length >= MIN_SECRET_LENGTH) secrets.add(trimmed);
  }
}

export function redact(text: string): string {
  let result = text;
  for (const secret of secrets) {
    if (result.includes(secret)) result = result.split(secret).join('***');
  }
  return result;
}

/** Redacts every string inside a JSON-compatible value. */
export function redactDeep<T>(value: T): T {
  if (secrets.size === 0) return value;
  return JSON.parse(redact(JSON.stringify(value))) as T;
}

/** Removes credentials from a URL before it is logged or recorded. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return redact(url);
  }
}
