/**
 * `data` input (and dispatch-inputs): YAML or JSON (YAML is a superset). Empty means no data.
 * Errors name the input and the line inside it. The YAML parser (about 115 KB to load and
 * evaluate) loads only for text that is neither a JSON object or array nor the flat `key: value`
 * lines most steps pass; both of those parse here to exactly what YAML makes of them.
 */
export async function parseEventData(text: string | undefined, inputName = 'data'): Promise<unknown> {
  if (text === undefined || text.trim() === '') return undefined;
  const plain = plainData(text);
  if (plain !== NOT_PLAIN) return plain;
  // Through a module of ours: a bundled import() of the CommonJS `yaml` would only have its default.
  const { parseYamlData } = await import('./yaml-data.js');
  return parseYamlData(text, inputName);
}

const NOT_PLAIN = Symbol('not plain');

/** The text's value when it is JSON or flat `key: value` lines; NOT_PLAIN for the YAML parser. */
export function plainData(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return jsonData(trimmed);
  return flatMapping(text);
}

/**
 * JSON parses as YAML does, except that YAML (uniqueKeys) refuses a key given twice where
 * JSON.parse keeps the last: a text whose members outnumber the parsed keys goes to YAML for its error.
 */
function jsonData(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return NOT_PLAIN;
  }
  return memberColons(text) === keyCount(value) ? value : NOT_PLAIN;
}

/** Colons outside strings: one per object member in JSON text. */
function memberColons(text: string): number {
  let count = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === ':') count++;
  }
  return count;
}

function keyCount(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const members = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  return (
    (Array.isArray(value) ? 0 : members.length) + members.reduce((sum: number, member) => sum + keyCount(member), 0)
  );
}

/**
 * `key: value` lines (blank lines between) whose values YAML's core schema reads without doubt:
 * integers that fit a double exactly, true, false, null, and words, dots, slashes and dashes
 * starting with a letter (`v1.2`, `main`, `octo-org/repo`). Anything else is YAML's to read.
 */
const LINE = /^([A-Za-z_][A-Za-z0-9_-]*): ([^\n]*)$/;
const INTEGER = /^-?(?:0|[1-9][0-9]{0,14})$/;
const WORDS = /^[A-Za-z][A-Za-z0-9_./-]*(?: [A-Za-z0-9_./-]+)*$/;
const CORE_WORD = /^(?:true|false|null)$/i;

function flatMapping(text: string): unknown {
  const result: Record<string, unknown> = {};
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const match = LINE.exec(line);
    const [key, raw] = [match?.[1], match?.[2]];
    if (key === undefined || raw === undefined || CORE_WORD.test(key) || key === '__proto__' || key in result)
      return NOT_PLAIN;
    const value = scalar(raw);
    if (value === NOT_PLAIN) return NOT_PLAIN;
    result[key] = value;
  }
  return Object.keys(result).length > 0 ? result : NOT_PLAIN;
}

function scalar(raw: string): unknown {
  if (INTEGER.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (raw === 'null') return null;
  // `True`, `NULL` and the like are YAML's too (its core schema reads them as booleans and null).
  return WORDS.test(raw) && !CORE_WORD.test(raw) ? raw : NOT_PLAIN;
}
