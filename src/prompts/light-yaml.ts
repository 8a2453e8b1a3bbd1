import { itemIndex, type DataPath, type YamlParse, type YamlTree } from './yaml-tree.js';

/**
 * The YAML prompt files are written in, read without the `yaml` library (~115 KB to load and
 * evaluate at every start): block mappings and sequences (`- key: value` items too), plain
 * scalars on one line with the YAML 1.2 core schema's types (null, booleans, decimal integers and
 * simple decimals; anything else number-like goes to `yaml`), single- and double-quoted scalars
 * on one line (no escapes), flow sequences of words (`untrusted: [title, body]`), `|`, `|-`, `>` and `>-` block scalars, and comments. It returns
 * exactly what yaml's parseDocument + toJS give, with the same lines, or undefined for anything
 * else (flow collections, anchors, tags, multi-line plain or quoted scalars, documents, tabs,
 * empty values, a key given twice, every error): yaml-full.ts reads that and names the problem.
 * test/property/light-yaml.test.ts holds it to `yaml`.
 */

interface Scalar {
  kind: 'scalar';
  value: unknown;
  line: number;
  contentLine: number | undefined;
}
interface MapNode {
  kind: 'map';
  line: number;
  entries: Array<{ key: string; line: number; value: Node }>;
}
interface SeqNode {
  kind: 'seq';
  line: number;
  items: Node[];
}
type Node = Scalar | MapNode | SeqNode;

/** Thrown inside the reader for anything outside the subset; never leaves this module. */
class Outside extends Error {}
const outside = (): never => {
  throw new Outside();
};

// Control characters (tab and CR too), line separators, BOM, non-characters, lone surrogates: yaml's to judge.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNUSUAL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|\p{Cs}/u;
const KEY = /^([A-Za-z_][A-Za-z0-9_.-]*):(?: +|$)/;
const CORE_WORD = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;
const INTEGER = /^-?(?:0|[1-9][0-9]{0,14})$/;
const DECIMAL = /^-?(?:0|[1-9][0-9]{0,14})\.[0-9]{1,15}$/;
const STRING_START = /^[A-Za-z_/($]/;
const BLOCK_HEADER = /^([|>])(-?)$/;
const FLOW_WORDS = /^\[([^[\]{}]*)\]$/;
const WORD = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function readLightYaml(text: string, firstLine = 1): YamlParse | undefined {
  if (UNUSUAL.test(text)) return undefined;
  try {
    const reader = new Reader(text.split('\n'), firstLine);
    return { tree: new LightTree(reader.document()) };
  } catch (error) {
    if (error instanceof Outside) return undefined;
    throw error;
  }
}

const indentOf = (line: string): number => line.length - line.trimStart().length;
const isBlank = (line: string): boolean => {
  const rest = line.trimStart();
  return rest === '' || rest.startsWith('#');
};

class Reader {
  private at = 0;

  constructor(
    private readonly lines: string[],
    private readonly firstLine: number,
  ) {}

  document(): Node {
    this.skipBlank();
    const first = this.lines[this.at];
    if (first === undefined || indentOf(first) !== 0) return outside();
    const node = this.block(0);
    this.skipBlank();
    return this.at < this.lines.length ? outside() : node;
  }

  private lineNumber(index = this.at): number {
    return index + this.firstLine;
  }

  private skipBlank(): void {
    while (this.at < this.lines.length && isBlank(this.lines[this.at] ?? '')) this.at++;
  }

  private block(indent: number): Node {
    const rest = (this.lines[this.at] ?? '').slice(indent);
    return rest === '-' || rest.startsWith('- ') ? this.sequence(indent) : this.mapping(indent);
  }

  private mapping(indent: number): MapNode {
    const node: MapNode = { kind: 'map', line: this.lineNumber(), entries: [] };
    for (this.skipBlank(); this.at < this.lines.length; this.skipBlank()) {
      const line = this.lines[this.at] ?? '';
      const lineIndent = indentOf(line);
      if (lineIndent < indent) break;
      if (lineIndent > indent) return outside();
      const match = KEY.exec(line.slice(indent));
      const key = match?.[1];
      if (match === null || key === undefined || CORE_WORD.test(key) || key === '__proto__') return outside();
      if (node.entries.some((entry) => entry.key === key)) return outside();
      const keyLine = this.lineNumber();
      const value = this.value(line.slice(indent + match[0].length), indent);
      node.entries.push({ key, line: keyLine, value });
    }
    return node;
  }

  /** The value after `key:` or `- ` on the current line; moves past every line it takes. */
  private value(text: string, parentIndent: number): Node {
    const rest = stripComment(text);
    if (rest === '') {
      this.at++;
      this.skipBlank();
      const next = this.lines[this.at];
      if (next === undefined) return outside();
      const nextIndent = indentOf(next);
      const dash = next.slice(nextIndent).startsWith('- ');
      // `key:` then `- item` lines at the key's own indentation is a sequence too.
      if (nextIndent > parentIndent || (nextIndent === parentIndent && dash)) return this.block(nextIndent);
      return outside(); // an empty value (null)
    }
    const header = BLOCK_HEADER.exec(rest);
    if (header) return this.blockScalar(header[1] === '|', header[2] === '-', parentIndent);
    const line = this.lineNumber();
    this.at++;
    const words = FLOW_WORDS.exec(rest)?.[1];
    if (words !== undefined) {
      // `[title, body]`: a flow sequence of words, each a one-line string on this line.
      const items = words.trim() === '' ? [] : words.split(',').map((word) => word.trim());
      if (items.some((word) => !WORD.test(word) || CORE_WORD.test(word))) return outside();
      return { kind: 'seq', line, items: items.map((value) => ({ kind: 'scalar', value, line, contentLine: line })) };
    }
    return { kind: 'scalar', value: inlineScalar(text), line, contentLine: line };
  }

  private sequence(indent: number): SeqNode {
    const node: SeqNode = { kind: 'seq', line: this.lineNumber(), items: [] };
    for (this.skipBlank(); this.at < this.lines.length; this.skipBlank()) {
      const line = this.lines[this.at] ?? '';
      const lineIndent = indentOf(line);
      if (lineIndent < indent) break;
      if (lineIndent > indent) return outside();
      if (!line.slice(indent).startsWith('- ')) break; // the next key of a mapping at this indentation
      const after = line.slice(indent + 2);
      const itemIndent = indent + 2 + indentOf(after);
      const item = after.trimStart();
      if (KEY.test(item)) {
        // `- key: value`: a mapping whose first key is on the dash's line, at the item's indentation.
        this.lines[this.at] = ' '.repeat(itemIndent) + item;
        node.items.push(this.mapping(itemIndent));
      } else if (item.startsWith('-') || stripComment(item) === '') {
        return outside();
      } else {
        node.items.push(this.value(item, indent));
      }
    }
    return node;
  }

  /** `|`/`>` (clip) and `|-`/`>-` (strip) whose lines are indented deeper than their parent. */
  private blockScalar(literal: boolean, strip: boolean, parentIndent: number): Scalar {
    const headerLine = this.lineNumber();
    this.at++;
    const start = this.at;
    let indent: number | undefined;
    const content: string[] = [];
    for (; this.at < this.lines.length; this.at++) {
      const line = this.lines[this.at] ?? '';
      if (line.trim() === '') {
        // Whitespace-only lines longer than the block's indentation hold content: yaml's to judge.
        if (line.length > (indent ?? parentIndent + 1)) return outside();
        content.push('');
        continue;
      }
      const lineIndent = indentOf(line);
      indent ??= lineIndent;
      if (lineIndent < indent) break;
      if (indent <= parentIndent) return outside();
      if (!literal && lineIndent > indent) return outside(); // more-indented lines fold differently
      content.push(line.slice(indent));
    }
    if (indent === undefined || indent <= parentIndent) return outside();
    // Blank lines after the block belong to what follows (they are skipped there anyway).
    while (content.at(-1) === '' && this.at > start) {
      content.pop();
      this.at--;
    }
    const body = literal ? content.join('\n') : fold(content);
    const value = strip ? body : `${body}\n`;
    return { kind: 'scalar', value, line: headerLine, contentLine: literal ? headerLine + 1 : undefined };
  }
}

/** Folded lines: one line break becomes a space, each empty line between two lines a line break. */
function fold(lines: string[]): string {
  let text = '';
  let breaks = 0;
  for (const line of lines) {
    if (line === '') {
      breaks++;
      continue;
    }
    text += text === '' ? '\n'.repeat(breaks) + line : (breaks > 0 ? '\n'.repeat(breaks) : ' ') + line;
    breaks = 0;
  }
  return text;
}

/** The text before a ` #` comment, without trailing spaces. */
function stripComment(text: string): string {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('#')) return '';
  const comment = trimmed.indexOf(' #');
  return (comment === -1 ? trimmed : trimmed.slice(0, comment)).trimEnd();
}

function inlineScalar(text: string): unknown {
  const trimmed = text.trimStart();
  const quote = trimmed[0];
  if (quote === "'" || quote === '"') return quoted(trimmed, quote);
  const plain = stripComment(trimmed);
  if (plain.includes(': ') || plain.endsWith(':') || plain.includes('\t')) return outside();
  if (plain === 'null' || plain === 'Null' || plain === 'NULL' || plain === '~') return null;
  if (/^(?:true|True|TRUE)$/.test(plain)) return true;
  if (/^(?:false|False|FALSE)$/.test(plain)) return false;
  if (INTEGER.test(plain) || DECIMAL.test(plain)) return Number(plain);
  return STRING_START.test(plain) ? plain : outside();
}

/** A quoted scalar that ends on its line, followed by nothing or a comment; no escapes. */
function quoted(text: string, quote: string): string {
  let end = 1;
  let value = '';
  for (;;) {
    const next = text.indexOf(quote, end);
    if (next === -1) return outside();
    value += text.slice(end, next);
    // '' inside single quotes is one quote; double quotes would need escapes, which yaml reads.
    if (quote === "'" && text[next + 1] === "'") {
      value += "'";
      end = next + 2;
      continue;
    }
    end = next + 1;
    break;
  }
  if (quote === '"' && value.includes('\\')) return outside();
  const after = text.slice(end);
  return after.trim() === '' || /^ +#/.test(after) ? value : outside();
}

class LightTree implements YamlTree {
  constructor(private readonly root: Node) {}

  toJS(): unknown {
    return toJS(this.root);
  }

  lineOf(path: DataPath): number {
    let node: Node | undefined = this.root;
    let line = this.root.line;
    for (const segment of path) {
      if (node.kind === 'map') {
        const entry: MapNode['entries'][number] | undefined = node.entries.find(
          (candidate) => candidate.key === String(segment),
        );
        if (!entry) return line;
        line = entry.line;
        node = entry.value;
      } else if (node.kind === 'seq') {
        const item: Node | undefined = node.items[itemIndex(segment)];
        if (!item) return line;
        line = item.line;
        node = item;
      } else return line;
    }
    return line;
  }

  contentLineOf(path: DataPath): number | undefined {
    let node: Node | undefined = this.root;
    for (const segment of path) {
      if (node?.kind === 'map') node = node.entries.find((entry) => entry.key === segment)?.value;
      else if (node?.kind === 'seq') node = node.items[itemIndex(segment)];
      else return undefined;
    }
    return node?.kind === 'scalar' ? node.contentLine : undefined;
  }
}

function toJS(node: Node): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(toJS);
  const out: Record<string, unknown> = {};
  for (const entry of node.entries) out[entry.key] = toJS(entry.value);
  return out;
}
