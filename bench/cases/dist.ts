import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../../test/harness/job.js';
import type { BenchCase } from '../lib.js';

function files(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? files(join(directory, entry.name)) : [join(directory, entry.name)],
  );
}

/**
 * Minified: almost no indentation left. Only template literals (help text, Lua scripts) keep
 * their line breaks; an unminified bundle spends 10-20% of its bytes on leading whitespace.
 */
function looksMinified(path: string): boolean {
  const text = readFileSync(path, 'utf8');
  const indentation = text.match(/\n[ \t]+/g)?.reduce((sum, run) => sum + run.length, 0) ?? 0;
  return indentation / Math.max(1, text.length) < 0.05;
}

export const cases: BenchCase[] = [
  {
    name: 'dist',
    async run() {
      const dist = join(REPO_ROOT, 'dist');
      const all = files(dist);
      const bytes = all.reduce((sum, path) => sum + statSync(path).size, 0);
      const hashes = new Map<string, string[]>();
      for (const path of all) {
        const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
        hashes.set(hash, [...(hashes.get(hash) ?? []), relative(dist, path)]);
      }
      const same = [...hashes.values()].filter((group) => group.length > 1);
      const duplicates = same.reduce((sum, group) => sum + group.length - 1, 0);
      const scripts = all.filter((path) => path.endsWith('.js'));
      const unminified = scripts.filter((path) => !looksMinified(path));
      const none = { name: '—', value: Number.NaN, unit: '' };
      return [
        {
          name: `dist/ total (${all.length} files)`,
          value: bytes / 1e6,
          unit: 'MB',
          baseline: { name: 'issue limit', value: 12, unit: 'MB' },
          target: { of: 'value', op: '<=', bound: 12 },
        },
        {
          name: `byte-identical duplicate files in dist/${same.length ? ` (${same.map((group) => group.join(' = ')).join('; ')})` : ''}`,
          value: duplicates,
          unit: 'files',
          baseline: none,
          target: { of: 'value', op: '<=', bound: 0 },
        },
        {
          name: `unminified .js files${unminified.length ? ` (${unminified.map((path) => relative(dist, path)).join(', ')})` : ''}`,
          value: unminified.length,
          unit: `of ${scripts.length}`,
          baseline: none,
          target: { of: 'value', op: '<=', bound: 0 },
        },
      ];
    },
  },
];
