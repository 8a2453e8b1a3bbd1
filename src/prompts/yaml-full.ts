import { isMap, isScalar, isSeq, Lexer, LineCounter, parseDocument, type Document } from 'yaml';
import { itemIndex, type DataPath, type YamlParse, type YamlTree } from './yaml-tree.js';

/**
 * YAML read by the `yaml` library: everything light-yaml.ts leaves out (flow collections,
 * anchors, tags, multi-line plain and quoted scalars, several documents…) and every error.
 * Loaded through engine.ts (about 115 KB); run-prompt's inputs re-export its parse.
 */
export { parse, YAMLError } from 'yaml';

export function parseFullYaml(text: string, firstLine: number): YamlParse {
  const lines = new LineCounter();
  // prettyErrors off: we add file:line ourselves and the code-frame it appends is noise in an annotation.
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    // An unclosed quote is reported where the text ends; the user needs the line it opened on.
    const opened =
      first.code === 'MISSING_CHAR' && /quote/.test(first.message) ? quoteStart(text, first.pos[0]) : undefined;
    const offset = opened ?? first.pos[0];
    const message =
      opened === undefined
        ? first.message
        : `quoted string opened here is never closed (add the closing ${text[opened] ?? '"'})`;
    return { error: { line: lines.linePos(offset).line + firstLine - 1, message } };
  }
  return { tree: new DocumentTree(doc, lines, firstLine) };
}

class DocumentTree implements YamlTree {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly firstLine: number,
  ) {}

  toJS(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
  }

  lineOf(path: DataPath): number {
    let node: unknown = this.doc.contents;
    let line = this.lineOfNode(node) ?? this.firstLine;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) return line;
        line = this.lineOfNode(pair.key) ?? line;
        node = pair.value;
      } else if (isSeq(node)) {
        const item: unknown = node.items[itemIndex(segment)];
        if (item === undefined) return line;
        line = this.lineOfNode(item) ?? line;
        node = item;
      } else {
        return line;
      }
    }
    return line;
  }

  contentLineOf(path: DataPath): number | undefined {
    const node = this.doc.getIn(path, true);
    if (!isScalar(node) || !node.range) return undefined;
    const [start, valueEnd] = node.range;
    if (node.type === 'BLOCK_LITERAL') return this.lineAt(start) + 1;
    if (node.type === 'BLOCK_FOLDED') return undefined;
    // A one-line scalar can still hold "\n" escapes, whose lines are not file lines.
    if (typeof node.value === 'string' && node.value.includes('\n')) return undefined;
    return this.lineAt(start) === this.lineAt(Math.max(start, valueEnd - 1)) ? this.lineAt(start) : undefined;
  }

  private lineAt(offset: number): number {
    return this.lines.linePos(offset).line + this.firstLine - 1;
  }

  private lineOfNode(node: unknown): number | undefined {
    if (node && typeof node === 'object' && 'range' in node) {
      const range = (node as { range?: [number, number, number] | null }).range;
      if (range) return this.lineAt(range[0]);
    }
    return undefined;
  }
}

/** The lexer's control tokens, which are not part of the source text. */
const CONTROL_TOKENS = new Set(['\x02', '\x18', '\x1f']);

/** Offset of the last quoted scalar starting before `end`. */
function quoteStart(text: string, end: number): number | undefined {
  let offset = 0;
  let found: number | undefined;
  for (const token of new Lexer().lex(text)) {
    if (CONTROL_TOKENS.has(token)) continue;
    if (offset < end && (token.startsWith('"') || token.startsWith("'"))) found = offset;
    offset += token.length;
  }
  return found;
}
