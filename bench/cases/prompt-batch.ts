import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { type AnthropicApi, startAnthropicApi, textReply } from '../../test/fakes/anthropic-api.js';
import { CLI_BUNDLE, Job } from '../../test/harness/job.js';
import type { BenchCase, Figure } from '../lib.js';

const LATENCY_MS = 50;
const LIMIT = 20;
const KEY = 'sk-ant-bench-0000000000000000';
const PROMPT = 'name: batch\nmessages:\n  - role: user\n    content: Classify item-{{n}} in one word.\n';

function batchJob(api: AnthropicApi, items: number): Job {
  const job = new Job({ env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: api.url } });
  writeFileSync(join(job.workspace, 'batch.prompt.yml'), PROMPT);
  const lines = Array.from({ length: items }, (_, n) => JSON.stringify({ id: `item-${n}`, variables: { n } }));
  writeFileSync(join(job.workspace, 'items.jsonl'), `${lines.join('\n')}\n`);
  return job;
}

const ARGS = ['run-prompt', '--prompt-file', 'batch.prompt.yml', '--batch', 'items.jsonl'];
const args = ['--batch-concurrency', String(LIMIT)];

function resultLines(job: Job): Array<{ id: string; status: string }> {
  const path = join(job.workspace, 'items.results.jsonl');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.endsWith('}'))
    .map((line) => JSON.parse(line) as { id: string; status: string });
}

/** How many times the fake answered each item with a reply (200). */
function answered(api: AnthropicApi): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of api.requests) {
    const id = /item-\d+/.exec(JSON.stringify(request.body.messages))?.[0];
    if (id && request.status === 200) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** The CLI under /usr/bin/time: its own wall and CPU seconds (user + system). */
async function timedCli(job: Job, cliArgs: string[]): Promise<{ wallMs: number; cpuMs: number }> {
  const report = join(job.root, 'time.txt');
  const quoted = cliArgs.map((arg) => `'${arg}'`).join(' ');
  const result = await job.run(
    `/usr/bin/time -f '%e %U %S' -o '${report}' '${process.execPath}' '${CLI_BUNDLE}' ${quoted}`,
  );
  if (result.exitCode !== 0) throw new Error(`batch failed: ${result.stderr.slice(-400)}`);
  const [wall = 0, user = 0, system = 0] = readFileSync(report, 'utf8')
    .trim()
    .split('\n')
    .at(-1)!
    .split(' ')
    .map(Number);
  return { wallMs: wall * 1000, cpuMs: (user + system) * 1000 };
}

async function throughput(items: number): Promise<{ figures: Figure[]; wallMs: number }> {
  const api = await startAnthropicApi({ latencyMs: LATENCY_MS, concurrencyLimit: LIMIT });
  api.setDefault(textReply('bug'));
  try {
    const job = batchJob(api, items);
    const { wallMs, cpuMs } = await timedCli(job, [...ARGS, ...args]);
    const ok = resultLines(job).filter((line) => line.status === 'ok').length;
    if (ok !== items) throw new Error(`${ok} of ${items} items ok`);
    const idealMs = (items * LATENCY_MS) / LIMIT;
    return {
      wallMs,
      figures: [
        {
          name: `batch of ${items} through the CLI (items/s)`,
          value: items / (wallMs / 1000),
          unit: 'items/s',
          // The machine is shared: a wall time under load says what the CLI got of a core, not what it needs.
          note: `${(wallMs / 1000).toFixed(2)} s wall, ideal ${(idealMs / 1000).toFixed(2)} s; peak in flight ${api.load.peakInFlight}, 429s ${api.load.rateLimited}; load average ${loadavg()[0]?.toFixed(1)}`,
          baseline: {
            name: `ideal: ${LIMIT} in flight × ${LATENCY_MS} ms latency`,
            value: LIMIT / (LATENCY_MS / 1000),
            unit: 'items/s',
          },
          target: { of: 'ratio', op: '>=', bound: 0.85 },
        },
        {
          name: 'CLI CPU time per item (user + system, start included)',
          value: cpuMs / items,
          unit: 'ms',
          note: 'read against one core at the ideal rate: what a quiet machine needs for the target',
          baseline: { name: 'one core at 400 items/s', value: 1000 / (LIMIT / (LATENCY_MS / 1000)), unit: 'ms' },
        },
      ],
    };
  } finally {
    await api.close();
  }
}

/** Runs until about half the items have a result line, SIGKILLs the CLI, runs it again to the end. */
async function killAndResume(items: number, uninterruptedMs: number): Promise<Figure[]> {
  const api = await startAnthropicApi({ latencyMs: LATENCY_MS, concurrencyLimit: LIMIT });
  api.setDefault(textReply('bug'));
  try {
    const job = batchJob(api, items);
    const started = performance.now();
    const first = job.startCli([...ARGS, ...args]);
    while (resultLines(job).length < items / 2) await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill('SIGKILL');
    await first.done;
    const atKill = resultLines(job).length;
    const second = await job.cli([...ARGS, ...args]);
    const totalMs = performance.now() - started;
    if (second.exitCode !== 0) throw new Error(`resumed batch failed: ${second.stderr.slice(-400)}`);
    const lines = resultLines(job);
    const ids = new Set(lines.map((line) => line.id));
    const lost = items - lines.filter((line) => line.status === 'ok').length;
    const twice = lines.length - ids.size;
    const resent = [...answered(api).values()].filter((count) => count > 1).length;
    const note = `killed at ${atKill} lines; ${resent} item(s) answered twice by the API (in flight when killed, their answers died with the process; at most ${LIMIT})`;
    return [
      {
        name: 'kill halfway + resume: items lost',
        value: lost,
        unit: 'items',
        baseline: { name: 'items', value: items, unit: 'items' },
        target: { of: 'value', op: '<=', bound: 0 },
      },
      {
        name: 'kill halfway + resume: items done twice (results lines)',
        value: twice,
        unit: 'items',
        note,
        baseline: { name: 'items', value: items, unit: 'items' },
        target: { of: 'value', op: '<=', bound: 0 },
      },
      {
        name: 'kill halfway + resume: wall time',
        value: totalMs,
        unit: 'ms',
        note: 'two CLI starts and the items in flight at the kill run again',
        baseline: { name: 'the same batch uninterrupted', value: uninterruptedMs, unit: 'ms' },
      },
    ];
  } finally {
    await api.close();
  }
}

export const cases: BenchCase[] = [
  {
    name: 'run-prompt/batch',
    async run({ smoke }) {
      const items = smoke ? 100 : 2000;
      const { figures, wallMs } = await throughput(items);
      return [...figures, ...(await killAndResume(items, wallMs))];
    },
  },
];
