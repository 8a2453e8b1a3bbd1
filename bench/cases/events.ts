import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { startRedis } from '../../test/fakes/redis.js';
import { CLI_BUNDLE } from '../../test/harness/job.js';
import type { BenchCase, Figure } from '../lib.js';

const PAD = 'x'.repeat(900); // with the envelope, each stream entry carries about 1.3 KB

async function writeBatchFile(path: string, count: number): Promise<void> {
  const out = createWriteStream(path);
  for (let index = 0; index < count; index++) {
    if (
      !out.write(
        `${JSON.stringify({ type: 'com.example.bench', data: { index, pad: PAD }, 'idempotency-key': `bench-${index}` })}\n`,
      )
    )
      await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** Runs a command under /usr/bin/time: wall seconds and peak resident memory (MB) of the child. */
function measured(command: string, args: string[]): Promise<{ seconds: number; peakMb: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const report = join(mkdtempSync(join(tmpdir(), 'autostack-bench-time-')), 'time');
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', report, command, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const kb = Number(readFileSync(report, 'utf8').trim().split('\n').pop());
      rmSync(join(report, '..'), { recursive: true, force: true });
      if (code !== 0) reject(new Error(`${command} exited ${code}: ${stderr.slice(0, 300)}`));
      else resolve({ seconds, peakMb: kb / 1024, stdout });
    });
  });
}

/** `redis-benchmark -P 16` pipelined XADD of `bytes`-sized entries: requests per second. */
async function redisBenchmark(port: number, count: number, bytes: number): Promise<number> {
  const { stdout } = await measured('redis-benchmark', [
    '-p',
    String(port),
    '-P',
    '16',
    '-n',
    String(count),
    '-c',
    '1',
    '-q',
    'XADD',
    'bench:baseline',
    '*',
    'data',
    'y'.repeat(bytes),
  ]);
  const match = /([\d.]+) requests per second/.exec(stdout);
  if (!match) throw new Error(`redis-benchmark printed no rate: ${stdout.slice(0, 200)}`);
  return Number(match[1]);
}

export const cases: BenchCase[] = [
  {
    name: 'events/emit-batch',
    async run({ smoke }) {
      const count = smoke ? 5_000 : Number(process.env.BENCH_EVENTS ?? 100_000);
      const directory = mkdtempSync(join(tmpdir(), 'autostack-bench-'));
      const redis = await startRedis();
      try {
        const file = join(directory, 'events.jsonl');
        const smallFile = join(directory, 'small.jsonl');
        // A fifth of the batch too: peak memory must not depend on the file's size.
        const small = Math.round(count / 5);
        await writeBatchFile(file, count);
        await writeBatchFile(smallFile, small);
        const cli = (stream: string, path = file) =>
          measured(process.execPath, [
            CLI_BUNDLE,
            'emit',
            '--batch',
            path,
            '--redis-url',
            redis.url,
            '--stream',
            stream,
          ]);
        const smaller = await cli('bench:small', smallFile);
        const first = await cli('bench:batch');
        const again = await cli('bench:batch');
        const summary = JSON.parse(first.stdout.trim()) as { published: number; duplicates: number };
        const repeat = JSON.parse(again.stdout.trim()) as { published: number; duplicates: number };
        const entryBytes = 1300;
        const baselineRate = await redisBenchmark(redis.port, count, entryBytes);
        const baseline = {
          name: `redis-benchmark -P 16 -c 1 XADD, ${entryBytes} B entries`,
          value: baselineRate,
          unit: 'req/s',
        };
        const figures: Figure[] = [
          {
            name: `emit --batch, ${count} new events (CLI spawn to exit)`,
            value: count / first.seconds,
            unit: 'events/s',
            note: `${summary.published} published`,
            baseline,
            target: { of: 'ratio', op: '>=', bound: 0.25 },
          },
          {
            name: `the same ${count} again, all duplicates`,
            value: count / again.seconds,
            unit: 'events/s',
            note: `${repeat.duplicates} duplicates, ${repeat.published} published`,
            baseline,
          },
          {
            name: `emit --batch peak memory (${count} events)`,
            value: Math.max(first.peakMb, again.peakMb),
            unit: 'MB',
            baseline: { name: 'issue limit', value: 150, unit: 'MB' },
            target: { of: 'value', op: '<=', bound: 150 },
          },
          {
            name: `emit --batch peak memory (${small} events: flat whatever the size)`,
            value: smaller.peakMb,
            unit: 'MB',
            baseline: { name: 'issue limit', value: 150, unit: 'MB' },
            target: { of: 'value', op: '<=', bound: 150 },
          },
        ];
        return figures;
      } finally {
        await redis.stop();
        rmSync(directory, { recursive: true, force: true });
      }
    },
  },
];
