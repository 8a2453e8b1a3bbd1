/**
 * Benchmarks: `npm run bench [-- <case filter>…]`. Each file in bench/cases/ exports `cases`, a list
 * of BenchCase. A case returns figures, and every figure carries a baseline measured in the same
 * run on the same machine, so a number is read against its neighbour, not against a guess.
 * Speed targets live here, never in timed unit tests.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchCase, Figure } from './lib.js';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);

const cases: BenchCase[] = [];
for (const file of readdirSync(join(here, 'cases')).filter((name) => name.endsWith('.ts')).sort()) {
  const module = (await import(pathToFileURL(join(here, 'cases', file)).href)) as { cases?: BenchCase[] };
  cases.push(...(module.cases ?? []));
}
const selected = cases.filter((entry) => filters.length === 0 || filters.some((filter) => entry.name.includes(filter)));
if (selected.length === 0) {
  console.error(`no bench case matches ${filters.join(' ')}; cases: ${cases.map((entry) => entry.name).join(', ')}`);
  process.exit(1);
}

const format = (figure: { value: number; unit: string }): string => `${figure.value < 10 ? figure.value.toFixed(2) : figure.value.toFixed(1)} ${figure.unit}`;

console.log(`node ${process.version}, ${process.platform}/${process.arch}, ${new Date().toISOString()}`);
const rows: Array<{ name: string; figure: Figure }> = [];
for (const entry of selected) {
  process.stderr.write(`running ${entry.name}…\n`);
  for (const figure of await entry.run()) rows.push({ name: entry.name, figure });
}
console.log('');
console.log('| case | figure | value | baseline | baseline value | ratio |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const { name, figure } of rows) {
  const ratio = figure.baseline.value > 0 ? `${(figure.value / figure.baseline.value).toFixed(2)}x` : 'n/a';
  console.log(`| ${name} | ${figure.name} | ${format(figure)} | ${figure.baseline.name} | ${format(figure.baseline)} | ${ratio} |`);
}
