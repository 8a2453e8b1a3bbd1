// The hand reader of prompt-file YAML (light-yaml.ts) agrees with the `yaml` library (yaml-full.ts):
// whatever it reads, yaml reads without error to the same value (key order included), and every
// path has the same line and content line; anything else it leaves to yaml.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fc } from './settings.js';
import { readLightYaml } from '../../src/prompts/light-yaml.js';
import { parseFullYaml } from '../../src/prompts/yaml-full.js';
import type { DataPath, YamlTree } from '../../src/prompts/yaml-tree.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function keyOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(keyOrder);
  if (value !== null && typeof value === 'object') return Object.entries(value).map(([k, v]) => [k, keyOrder(v)]);
  return value;
}

/** Every path into the value, and a few that lead nowhere. */
function paths(value: unknown, prefix: PropertyKey[] = []): DataPath[] {
  const found: DataPath[] = [prefix, [...prefix, 'missing'], [...prefix, 7]];
  if (Array.isArray(value)) value.forEach((item, index) => found.push(...paths(item, [...prefix, index])));
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) found.push(...paths(item, [...prefix, key]));
  return found;
}

/** True when the light reader took the text; then it must agree with yaml in every way we use. */
function agrees(text: string, firstLine = 1): boolean {
  const light = readLightYaml(text, firstLine);
  if (light === undefined) return false;
  const full = parseFullYaml(text, firstLine);
  assert.ok('tree' in full, `light read what yaml refuses: ${JSON.stringify(text)}`);
  assert.ok('tree' in light);
  const mine: YamlTree = light.tree;
  const theirs: YamlTree = full.tree;
  const value = theirs.toJS();
  assert.deepStrictEqual(mine.toJS(), value, JSON.stringify(text));
  assert.deepStrictEqual(keyOrder(mine.toJS()), keyOrder(value));
  for (const path of paths(value)) {
    assert.equal(mine.lineOf(path), theirs.lineOf(path), `lineOf ${JSON.stringify(path)} in ${JSON.stringify(text)}`);
    assert.equal(
      mine.contentLineOf(path),
      theirs.contentLineOf(path),
      `contentLineOf ${JSON.stringify(path)} in ${JSON.stringify(text)}`,
    );
  }
  return true;
}

// Scalars as written: the subset's own forms and the ones it must leave to yaml.
const INLINE = [
  'hello world',
  'Summarize {{topic}} in one line.',
  'http://x.y/z?a=1',
  'a#b',
  'x # comment',
  'v1.2',
  '_private',
  '/path/to',
  '(note)',
  '$HOME',
  "'it''s'",
  "''",
  '"quoted # not a comment"',
  '""',
  '"a\\nb"',
  "'open",
  '42',
  '-7',
  '0',
  '-0',
  '007',
  '3.14',
  '-0.5',
  '1e3',
  '0x1F',
  '0o17',
  '.inf',
  '.NaN',
  '+1',
  'true',
  'False',
  'TRUE',
  'yes',
  'null',
  'Null',
  '~',
  'NULL',
  'a: b',
  'ends with:',
  '[1, 2]',
  '[title, body]',
  '[]',
  '[ a ]',
  '[a, true]',
  '[a,]',
  '[a b]',
  '[a, [b]]',
  '[a] # c',
  '[a]x',
  '{a: 1}',
  '&anchor x',
  '*alias',
  '!tag x',
  '@at',
  '`tick`',
  '%x',
  '? q',
  '3 apples',
  '- dash',
  '|',
  '>-',
  '|+',
  '|2',
  "'a' # c",
  "'a'b",
];
const KEYS = ['name', 'model', 'content', 'role', 'a.b', 'x-y', '_k', 'true', 'Null', 'messages', '__proto__'];
const BLOCK_LINES = ['text', 'two words', '', 'key: value', '# kept', '  indented more', '- item', "'q'"];

type Doc =
  | { kind: 'inline'; text: string }
  | { kind: 'block'; header: string; lines: string[] }
  | { kind: 'map'; entries: Array<[string, Doc]>; step: number }
  | { kind: 'seq'; items: Doc[]; step: number };

const doc: fc.Arbitrary<Doc> = fc.letrec<{ node: Doc }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...INLINE).map((text): Doc => ({ kind: 'inline', text })),
    fc
      .record({
        header: fc.constantFrom('|', '|-', '>', '>-', '| # c', '|+'),
        lines: fc.array(fc.constantFrom(...BLOCK_LINES), { minLength: 1, maxLength: 4 }),
      })
      .map(({ header, lines }): Doc => ({ kind: 'block', header, lines })),
    fc
      .record({
        entries: fc.uniqueArray(fc.tuple(fc.constantFrom(...KEYS), tie('node')), {
          minLength: 1,
          maxLength: 4,
          selector: ([key]) => key,
        }),
        step: fc.constantFrom(2, 4),
      })
      .map(({ entries, step }): Doc => ({ kind: 'map', entries, step })),
    fc
      .record({ items: fc.array(tie('node'), { minLength: 1, maxLength: 3 }), step: fc.constantFrom(0, 2) })
      .map(({ items, step }): Doc => ({ kind: 'seq', items, step })),
  ),
})).node;

const pad = (indent: number) => ' '.repeat(indent);

/** Lines of `node` as the value of `lead` (`key:` or `-`) written at `indent`. */
function render(lead: string, node: Doc, indent: number): string[] {
  if (node.kind === 'inline') return [`${pad(indent)}${lead} ${node.text}`];
  if (node.kind === 'block')
    return [`${pad(indent)}${lead} ${node.header}`, ...node.lines.map((line) => (line ? pad(indent + 2) + line : ''))];
  if (node.kind === 'map') {
    const [first, ...rest] = node.entries;
    if (lead === '-' && first) {
      // `- key: value` with the other keys under the first.
      const [head, ...tail] = render(`${first[0]}:`, first[1], indent + 2);
      return [
        `${pad(indent)}- ${(head ?? '').trimStart()}`,
        ...tail,
        ...rest.flatMap(([key, value]) => render(`${key}:`, value, indent + 2)),
      ];
    }
    return [
      `${pad(indent)}${lead}`,
      ...node.entries.flatMap(([key, value]) => render(`${key}:`, value, indent + node.step)),
    ];
  }
  const itemIndent = lead === '-' ? indent + 2 : indent + node.step;
  return [`${pad(indent)}${lead}`, ...node.items.flatMap((item) => render('-', item, itemIndent))];
}

function documentText(node: Doc, extras: Array<[number, string]>): string {
  const lines =
    node.kind === 'map'
      ? node.entries.flatMap(([key, value]) => render(`${key}:`, value, 0))
      : node.kind === 'seq'
        ? node.items.flatMap((item) => render('-', item, 0))
        : render('key:', node, 0);
  // Comments, blank lines and stray text between lines.
  for (const [at, extra] of extras) lines.splice(at % (lines.length + 1), 0, extra);
  return `${lines.join('\n')}\n`;
}

const extra = fc.tuple(
  fc.nat(),
  fc.constantFrom('', '# comment', '  # indented comment', '   ', '---', '...', 'stray', '\tkey: tab'),
);

test('generated documents: the light reader agrees with yaml wherever it reads', () => {
  let read = 0;
  fc.assert(
    fc.property(doc, fc.array(extra, { maxLength: 2 }), fc.constantFrom(1, 2), (node, extras, firstLine) => {
      if (agrees(documentText(node, extras), firstLine)) read++;
    }),
    { numRuns: 3000 },
  );
  assert.ok(read > 300, `only ${read} generated documents were read by the light reader`);
});

test('mutated prompt files: the light reader agrees with yaml wherever it reads', () => {
  const base = 'name: x\nmessages:\n  - role: user\n    content: |\n      Hi {{a}}\n\n      Bye\nmodel: m # c\n';
  const piece = fc.constantFrom(' ', '\n', '-', ':', '#', "'", '"', '|', '>', 'a', '1', '  ', '- a: b\n', '\t', '\r');
  fc.assert(
    fc.property(fc.nat({ max: base.length }), fc.nat({ max: 3 }), piece, (at, cut, inserted) => {
      agrees(base.slice(0, at) + inserted + base.slice(at + cut));
    }),
    { numRuns: 3000 },
  );
});

test('prompt files in the repository: read by the light reader as yaml reads them', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      if (['node_modules', '.git', 'dist', '.cache'].includes(entry.name)) return [];
      const path = join(dir, entry.name);
      return entry.isDirectory() ? files(path) : /\.prompt\.ya?ml$/.test(entry.name) ? [path] : [];
    });
  const found = files(ROOT);
  let read = 0;
  for (const file of found) if (agrees(readFileSync(file, 'utf8'))) read++;
  assert.ok(read > 0, `none of ${found.length} prompt files was read by the light reader`);
  // The cold-start bench's prompt and the `input` it passes.
  assert.ok(agrees('name: bench\nmessages:\n  - role: user\n    content: Summarize {{topic}} in one line.\n'));
  assert.ok(agrees('topic: benchmarks'));
});
