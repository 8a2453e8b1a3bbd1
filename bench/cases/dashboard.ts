import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase, Figure } from '../lib.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FULL_RUNS = Number(process.env.AUTOSTACK_BENCH_DASHBOARD_RUNS ?? 100_000);

function generate(directory: string, RUNS: number): void {
  mkdirSync(directory, { recursive: true });
  const base = Date.parse('2026-09-01T00:00:00Z');
  for (let index = 0; index < RUNS; index++) {
    const startedAt = new Date(base + index * 77_000).toISOString();
    const status = index % 13 === 0 ? 'failure' : 'success';
    writeFileSync(
      join(directory, `r${index}.json`),
      JSON.stringify({
        schema: 'autostack.run-record/v1',
        runId: `r${index}`,
        name: `automation-${index % 12}`,
        status,
        startedAt,
        endedAt: startedAt,
        durationMs: 500 + (index % 9000),
        github: { repository: 'o/r', runId: String(index), runAttempt: index % 50 === 0 ? '2' : '1' },
        trigger: { event: 'push' },
        steps: [{ id: 's1', name: 'work', status, startedAt, durationMs: 400 }],
        totals: {
          modelCalls: 1,
          inputTokens: 900,
          outputTokens: 90,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          costUsd: 0.003,
          toolCalls: 0,
          eventsPublished: 0,
        },
        systemsTouched: [],
        humanIntervened: false,
        interventions: [],
        errors: status === 'failure' ? [{ step: 's1', message: 'boom' }] : [],
        events: [
          {
            v: 1,
            ts: startedAt,
            run: `r${index}`,
            step: 's1',
            type: 'model.call',
            provider: 'anthropic',
            model: 'claude-sonnet',
            inputTokens: 900,
            outputTokens: 90,
            cacheReadTokens: 0,
            cacheWriteTokens: 0,
            costUsd: 0.003,
            latencyMs: 300,
            retries: 0,
            cacheHit: false,
          },
        ],
      }),
    );
  }
}

/** Runs a script in a child and returns its wall time and peak RSS (getrusage maxRSS, KiB). */
function measure(args: string[]): Promise<{ ms: number; peakMb: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code}`));
      const peak = /PEAK_RSS_KB=(\d+)/.exec(out);
      resolve({ ms: performance.now() - started, peakMb: Number(peak?.[1] ?? 0) / 1024 });
    });
  });
}

const REPORT_PEAK = 'process.on("exit",()=>process.stdout.write("PEAK_RSS_KB="+process.resourceUsage().maxRSS+"\\n"));';

export const cases: BenchCase[] = [
  {
    name: 'dashboard/100k-records',
    async run({ smoke }): Promise<Figure[]> {
      // The CI smoke only proves the case runs: 2,000 records instead of 100,000.
      const RUNS = smoke ? 2_000 : FULL_RUNS;
      const home = mkdtempSync(join(tmpdir(), 'autostack-bench-dash-'));
      try {
        const records = join(home, 'records');
        generate(records, RUNS);
        // Baseline: only read and JSON.parse every record file, as the dashboard must.
        const baselineScript = `${REPORT_PEAK} const fs=require("fs"),p=require("path");const d=${JSON.stringify(records)};let n=0;for(const f of fs.readdirSync(d)){JSON.parse(fs.readFileSync(p.join(d,f),"utf8"));n++}`;
        const baseline = await measure(['-e', baselineScript]);
        const dashboard = await measure([
          '--import',
          `data:text/javascript,${encodeURIComponent(REPORT_PEAK)}`,
          join(root, 'dist', 'cli', 'index.js'),
          'dashboard',
          '--out',
          join(home, 'report.html'),
          '--markdown',
          join(home, 'digest.md'),
          '--directory',
          records,
          '--dir',
          join(home, 'none'),
        ]);
        return [
          {
            name: `wall time, ${RUNS} records`,
            value: dashboard.ms,
            unit: 'ms',
            baseline: { name: 'read + JSON.parse only', value: baseline.ms, unit: 'ms' },
            target: { of: 'ratio', op: '<=', bound: 1.5 },
          },
          {
            name: 'peak RSS',
            value: dashboard.peakMb,
            unit: 'MB',
            baseline: { name: 'read + JSON.parse only', value: baseline.peakMb, unit: 'MB' },
            target: { of: 'value', op: '<=', bound: 300 },
          },
        ];
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    },
  },
];
