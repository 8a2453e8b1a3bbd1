/**
 * Benchmarks: `npm run bench [-- <case filter>…]`. Each file in bench/cases/ exports `cases`, a list
 * of BenchCase. A case returns figures, and every figure carries a baseline measured in the same
 * run on the same machine, so a number is read against its neighbour, not against a guess.
 * Speed targets live here, never in timed unit tests.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type BenchCase, describeTarget, type Figure, met } from './lib.js';

const here = dirname(fileURLToPath(import.meta.url));
const smoke = process.argv.includes('--smoke');
/** Set in the child that runs one case (see below): it prints its rows as JSON, not a table. */
const only = process.argv.find((argument) => argument.startsWith('--case='))?.slice('--case='.length);
const filters = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));

const cases: BenchCase[] = [];
for (const file of readdirSync(join(here, 'cases'))
  .filter((name) => name.endsWith('.ts'))
  .sort()) {
  const module = (await import(pathToFileURL(join(here, 'cases', file)).href)) as { cases?: BenchCase[] };
  cases.push(...(module.cases ?? []));
}
const selected = cases.filter((entry) =>
  only !== undefined
    ? entry.name === only
    : filters.length === 0 || filters.some((filter) => entry.name.includes(filter)),
);
if (selected.length === 0) {
  console.error(`no bench case matches ${filters.join(' ')}; cases: ${cases.map((entry) => entry.name).join(', ')}`);
  process.exit(1);
}

const format = (figure: { value: number; unit: string }): string =>
  Number.isFinite(figure.value)
    ? `${figure.value < 10 ? figure.value.toFixed(2) : figure.value.toFixed(1)} ${figure.unit}`
    : '—';

type Row = { name: string; figure: Figure };

async function runCase(entry: BenchCase): Promise<Row[]> {
  const rows: Row[] = [];
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
  return rows;
}

/**
 * Each case runs in a fresh process: the loopback fakes live in the bench process, and a heap grown
 * by an earlier case (100,000 generated records) slowed the next case's fake API by a third.
 */
function runCaseInChild(entry: BenchCase): Row[] {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), `--case=${entry.name}`];
  const child = spawnSync(process.execPath, smoke ? [...args, '--smoke'] : args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const last = child.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last, (_key, value: unknown) => (value === null ? Number.NaN : value)) as Row[];
  } catch {
    return [
      {
        name: entry.name,
        figure: {
          name: 'case failed',
          value: Number.NaN,
          unit: '',
          pending: `failed: the case's process ended with ${child.status ?? child.signal}`,
          baseline: { name: '', value: Number.NaN, unit: '' },
        },
      },
    ];
  }
}

if (only !== undefined) {
  const rows = selected[0] ? await runCase(selected[0]) : [];
  process.stdout.write(`${JSON.stringify(rows)}\n`);
  process.exit(0);
}

console.log(
  `node ${process.version}, ${process.platform}/${process.arch}, ${new Date().toISOString()}${smoke ? ' (smoke: few repetitions, small inputs; figures are not meaningful)' : ''}`,
);
const rows: Row[] = [];
for (const entry of selected) {
  process.stderr.write(`running ${entry.name}…\n`);
  rows.push(...runCaseInChild(entry));
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
