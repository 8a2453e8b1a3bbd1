import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CloudEvent, createEvent, streamEntryFields } from '../../src/events/envelope.js';
import { openRedis, publishBatch } from '../../src/events/redis.js';
import { startRedis } from '../../test/fakes/redis.js';
import { Job } from '../../test/harness/job.js';
import { type BenchCase, medianMs, spawnAndWait, time } from '../lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const BATCH = Number(process.env.BENCH_EVENTS ?? 20000);

function sampleEvents(count: number, prefix: string): CloudEvent[] {
  return Array.from({ length: count }, (_, index) =>
    createEvent({
      type: 'com.example.bench',
      source: 'https://github.com/octo-org/octo-repo',
      workflowRunId: '1',
      step: 'bench',
      idempotencyKey: `${prefix}-${index}`,
      data: { index, title: 'A benchmark event with a small payload' },
    }),
  );
}

export const cases: BenchCase[] = [
  {
    name: 'events/publish-batch',
    async run() {
      const redis = await startRedis();
      const handle = await openRedis(redis.url, { timeoutMs: 10_000 });
      try {
        const options = { stream: 'bench:idempotent', timeoutMs: 10_000 };
        // Warm the script cache and the connection on both paths before measuring.
        await publishBatch(handle, sampleEvents(100, 'warm'), options);
        const events = sampleEvents(BATCH, 'run');
        const idempotentMs = await time(() => publishBatch(handle, events, options));
        const duplicateMs = await time(() => publishBatch(handle, events, options));
        // Baseline: the same entries with a plain pipelined XADD — no dedupe, no ledger key.
        const plainMs = await time(async () => {
          for (let offset = 0; offset < events.length; offset += 500) {
            const pipeline = handle.client.pipeline();
            for (const event of events.slice(offset, offset + 500)) pipeline.xadd('bench:plain', '*', ...streamEntryFields(event));
            await pipeline.exec();
          }
        });
        const perSecond = (ms: number) => (BATCH / ms) * 1000;
        const baseline = { name: 'plain pipelined XADD (no dedupe)', value: perSecond(plainMs), unit: 'events/s' };
        return [
          { name: `idempotent publish, ${BATCH} new events (emit --batch path)`, value: perSecond(idempotentMs), unit: 'events/s', baseline },
          { name: `the same ${BATCH} again, all duplicates`, value: perSecond(duplicateMs), unit: 'events/s', baseline },
        ];
      } finally {
        await handle.close();
        await redis.stop();
      }
    },
  },
  {
    name: 'events/emit-cold-start',
    async run() {
      const job = new Job({});
      const directory = mkdtempSync(join(tmpdir(), 'autostack-bench-'));
      let index = 0;
      // A fresh key each time, so every run really appends instead of answering "duplicate".
      const emit = await medianMs(RUNS, async () => {
        const result = await job.uses('actions/emit-event', { type: 'com.example.bench', data: 'n: 1', file: join(directory, 'events.jsonl'), 'idempotency-key': `cold-${index++}` });
        if (result.exitCode !== 0) throw new Error(`emit-event failed: ${result.stdout}\n${result.stderr}`);
      });
      const bare = await medianMs(RUNS, () => spawnAndWait(process.execPath, ['-e', '']));
      return [{ name: 'emit-event bundle to a file target (spawn to exit)', value: emit, unit: 'ms', note: `median of ${RUNS}`, baseline: { name: "node -e ''", value: bare, unit: 'ms' } }];
    },
  },
  {
    name: 'runs/record-run-cold-start',
    async run() {
      const record = await medianMs(RUNS, async () => {
        const job = new Job({});
        const main = await job.uses('actions/record-run', { name: 'bench', artifact: 'false' });
        if (main.exitCode !== 0) throw new Error(`record-run failed: ${main.stderr}`);
        await job.complete();
      });
      const bare = await medianMs(RUNS, () => spawnAndWait(process.execPath, ['-e', '']));
      return [{ name: 'record-run main + post step (two spawns)', value: record, unit: 'ms', note: `median of ${RUNS}`, baseline: { name: "node -e '' (one spawn)", value: bare, unit: 'ms' } }];
    },
  },
];
