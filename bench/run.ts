/**
 * Benchmarks: `npm run bench [-- <case filter>…]`. Each file in bench/cases/ exports `cases`, a list
 * of BenchCase. A case returns figures, and every figure carries a baseline measured in the same
 * run on the same machine, so a number is read against its neighbour, not against a guess.
 * Speed targets live here, never in timed unit tests.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchCase, describeTarget, type Figure, met } from './lib.js';

const here = dirname(fileURLToPath(import.meta.url));
const smoke = process.argv.includes('--smoke');
const filters = process.argv.slice(2).filter((argument) => argument !== '--smoke');

const cases: BenchCase[] = [];
for (const file of readdirSync(join(here, 'cases'))
  .filter((name) => name.endsWith('.ts'))
  .sort()) {
  const module = (await import(pathToFileURL(join(here, 'cases', file)).href)) as { cases?: BenchCase[] };
  cases.push(...(module.cases ?? []));
}
const selected = cases.filter((entry) => filters.length === 0 || filters.some((filter) => entry.name.includes(filter)));
if (selected.length === 0) {
  console.error(`no bench case matches ${filters.join(' ')}; cases: ${cases.map((entry) => entry.name).join(', ')}`);
  process.exit(1);
}

const format = (figure: { value: number; unit: string }): string =>
  Number.isFinite(figure.value)
    ? `${figure.value < 10 ? figure.value.toFixed(2) : figure.value.toFixed(1)} ${figure.unit}`
    : '—';

console.log(
  `node ${process.version}, ${process.platform}/${process.arch}, ${new Date().toISOString()}${smoke ? ' (smoke: few repetitions, small inputs; figures are not meaningful)' : ''}`,
);
const rows: Array<{ name: string; figure: Figure }> = [];
for (const entry of selected) {
  process.stderr.write(`running ${entry.name}…\n`);
  // Benchmarks report, they never fail: a case that breaks becomes a row saying so.
  try {
    for (const figure of await entry.run({ smoke })) rows.push({ name: entry.name, figure });
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    rows.push({
      name: entry.name,
      figure: {
        name: 'case failed',
        value: Number.NaN,
        unit: '',
        pending: `failed: ${message.slice(0, 160)}`,
        baseline: { name: '', value: Number.NaN, unit: '' },
      },
    });
  }
}
console.log('');
console.log('| case | figure | value | baseline | baseline value | ratio | target | met? |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const { name, figure } of rows) {
  const ratio =
    figure.baseline.value > 0 && Number.isFinite(figure.value)
      ? `${(figure.value / figure.baseline.value).toFixed(2)}x`
      : '—';
  const status = figure.pending ? figure.pending : met(figure);
  const label = figure.note ? `${figure.name} (${figure.note})` : figure.name;
  console.log(
    `| ${name} | ${label} | ${format(figure)} | ${figure.baseline.name} | ${format(figure.baseline)} | ${ratio} | ${describeTarget(figure.target)} | ${status} |`,
  );
}
