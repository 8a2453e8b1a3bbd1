import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAnthropicApi, textReply } from '../../test/fakes/anthropic-api.js';
import { Job } from '../../test/harness/job.js';
import { type BenchCase, medianMs } from '../lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const ACTION = 'actions/run-prompt';
const PROMPT = 'name: bench\nmessages:\n  - role: user\n    content: Summarize {{topic}} in one line.\n';
const KEY = 'sk-ant-bench-0000000000000000';

function promptJob(env: Record<string, string>): Job {
  const job = new Job({ env });
  mkdirSync(join(job.workspace, 'prompts'), { recursive: true });
  writeFileSync(join(job.workspace, 'prompts', 'bench.prompt.yml'), PROMPT);
  return job;
}

async function ok(promise: Promise<{ exitCode: number | null; stdout: string; stderr: string }>): Promise<void> {
  const result = await promise;
  if (result.exitCode !== 0) throw new Error(`step failed: ${result.stdout}\n${result.stderr}`);
}

export const cases: BenchCase[] = [
  {
    name: 'run-prompt/cache-hit',
    async run({ smoke }) {
      const runs = smoke ? 3 : RUNS;
      const api = await startAnthropicApi();
      api.setDefault(textReply('A one-line summary.'));
      try {
        const job = promptJob({ ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: api.url });
        const inputs = { 'prompt-file': 'prompts/bench.prompt.yml', input: 'topic: caching' };
        await ok(job.uses(ACTION, inputs)); // fills the local response cache
        const hit = await medianMs(runs, () => ok(job.uses(ACTION, inputs)));
        const live = await medianMs(runs, () => ok(job.uses(ACTION, { ...inputs, cache: 'false' })));
        return [
          {
            name: 'cache hit (no API call)',
            value: hit,
            unit: 'ms',
            note: `median of ${runs}`,
            baseline: { name: 'live call to the loopback fake API', value: live, unit: 'ms' },
          },
        ];
      } finally {
        await api.close();
      }
    },
  },
];
