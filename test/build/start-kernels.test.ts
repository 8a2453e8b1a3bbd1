// The start kernels (scripts/build-kernels.mjs): which modules share a chunk, and which entry
// points import which kernel, planned from a first build's import graph. Small graphs here; the
// built dist/ is checked in start-path.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startGroups, type Metafile } from '../../scripts/build-kernels.mjs';

type Graph = Record<string, { bytes?: number; static?: string[]; dynamic?: string[] }>;

/** A metafile as esbuild writes it, from a module → imports table (every module 3 KB unless told). */
function metafile(graph: Graph): Metafile {
  const inputs: Metafile['inputs'] = {};
  const bytesInOutput: Record<string, { bytesInOutput: number }> = {};
  for (const [path, node] of Object.entries(graph)) {
    inputs[path] = {
      bytes: node.bytes ?? 3000,
      imports: [
        ...(node.static ?? []).map((target) => ({ path: target, kind: 'import-statement' })),
        ...(node.dynamic ?? []).map((target) => ({ path: target, kind: 'dynamic-import' })),
      ],
    };
    bytesInOutput[path] = { bytesInOutput: node.bytes ?? 3000 };
  }
  return { inputs, outputs: { 'dist/all.js': { inputs: bytesInOutput } } };
}

const roles = {
  entries: ['src/entries/a.ts', 'src/entries/b.ts'],
  actionEntries: ['src/entries/a.ts', 'src/entries/b.ts'],
};
const entries: Graph = {
  'src/entries/a.ts': { dynamic: ['src/start/a.ts'] },
  'src/entries/b.ts': { dynamic: ['src/start/b.ts'] },
};
const sorted = (kernels: string[][]): string[][] => kernels.map((members) => [...members].sort());

test('the modules both start paths reach are one kernel; a small group joins it, and both starts import it', () => {
  const { kernels, imports } = startGroups(
    metafile({
      ...entries,
      'src/start/a.ts': { static: ['src/x.ts', 'src/y.ts'] },
      'src/start/b.ts': { static: ['src/x.ts', 'src/z.ts'] },
      'src/x.ts': { static: ['src/y.ts'] },
      'src/y.ts': {},
      'src/z.ts': { bytes: 100 },
    }),
    roles,
  );
  // z (only b's, 100 bytes) rides along with x and y rather than being a file of its own.
  assert.deepEqual(sorted(kernels), [['src/x.ts', 'src/y.ts', 'src/z.ts']]);
  assert.deepEqual(imports.get('src/start/a.ts'), [0]);
  assert.deepEqual(imports.get('src/start/b.ts'), [0]);
});

test('a lazily imported module that reaches a kernel imports it too, so the kernel stays one chunk', () => {
  const { kernels, imports } = startGroups(
    metafile({
      ...entries,
      'src/start/a.ts': { static: ['src/x.ts', 'src/y.ts'] },
      'src/start/b.ts': { static: ['src/x.ts', 'src/y.ts'], dynamic: ['src/lazy.ts'] },
      'src/x.ts': {},
      'src/y.ts': {},
      'src/lazy.ts': { static: ['src/y.ts'] },
    }),
    roles,
  );
  assert.deepEqual(sorted(kernels), [['src/x.ts', 'src/y.ts']]);
  assert.deepEqual(imports.get('src/lazy.ts'), [0]);
});

test('an entry point that a kernel also reaches statically is not made to import it (that would be a cycle)', () => {
  const { kernels, imports } = startGroups(
    metafile({
      ...entries,
      'src/start/a.ts': { static: ['src/m1.ts'] },
      'src/start/b.ts': { static: ['src/m1.ts'] },
      'src/m1.ts': { static: ['src/envelope.ts', 'src/m0.ts'] },
      'src/m0.ts': {},
      'src/cli.ts': { dynamic: ['src/envelope.ts'] },
      'src/envelope.ts': { static: ['src/m2.ts'] },
      'src/m2.ts': {},
    }),
    { ...roles, entries: [...roles.entries, 'src/cli.ts'] },
  );
  for (const ids of imports.get('src/envelope.ts') ?? [])
    assert.ok(!kernels[ids]?.includes('src/m1.ts'), 'envelope.ts would import the kernel that imports it');
  // m2 (reached through envelope.ts) and m0 (not) land apart; m1 and m0 still share one.
  const kernelOf = (path: string) => kernels.findIndex((members) => members.includes(path));
  assert.equal(kernelOf('src/m1.ts'), kernelOf('src/m0.ts'));
  assert.notEqual(kernelOf('src/m2.ts'), kernelOf('src/m1.ts'));
});

test('modules of a big library, virtual modules and modules in an import cycle stay out of kernels', () => {
  const { kernels } = startGroups(
    metafile({
      ...entries,
      'src/start/a.ts': { static: ['src/x.ts', 'src/c1.ts', 'builtin:src/x.ts|fs'] },
      'src/start/b.ts': { static: ['src/x.ts', 'src/c1.ts'] },
      'src/x.ts': { static: ['node_modules/big/index.js', 'src/y.ts'] },
      'src/y.ts': {},
      'builtin:src/x.ts|fs': {},
      'node_modules/big/index.js': { bytes: 100_000 },
      'src/c1.ts': { static: ['src/c2.ts'] },
      'src/c2.ts': { static: ['src/c1.ts'] },
    }),
    roles,
  );
  assert.deepEqual(sorted(kernels), [['src/x.ts', 'src/y.ts']]);
});
