// The local workflow runner: independent jobs in parallel against the same workflow with --jobs 1.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { WorkflowRunner } from '../../src/workflow/runner.js';
import { type BenchCase, medianMs } from '../lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WORKFLOW = `on: push
jobs:
  one:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 2
  two:
    runs-on: ubuntu-latest
    steps:
      - run: sleep 2
`;

async function runOnce(jobs: number): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'autostack-bench-wf-'));
  try {
    mkdirSync(join(root, '.github', 'workflows'), { recursive: true });
    writeFileSync(join(root, '.github', 'workflows', 'w.yml'), WORKFLOW);
    const out = new PassThrough();
    out.resume();
    const result = await new WorkflowRunner({ workspace: root, repository: 'octo-org/octo-repo', out, jobs }).run({
      file: join(root, '.github', 'workflows', 'w.yml'),
      event: 'push',
    });
    if (result.conclusion !== 'success') throw new Error('the bench workflow failed');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export const cases: BenchCase[] = [
  {
    name: 'workflow/parallel-jobs',
    async run() {
      const parallel = await medianMs(RUNS, () => runOnce(2), 0);
      const serial = await medianMs(RUNS, () => runOnce(1), 0);
      return [
        {
          name: 'two 2 s jobs, --jobs 2 (median wall time)',
          value: parallel / 1000,
          unit: 's',
          note: `${RUNS} runs`,
          baseline: { name: 'same workflow, --jobs 1', value: serial / 1000, unit: 's' },
        },
      ];
    },
  },
];
