import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startAnthropicApi, textReply } from '../../test/fakes/anthropic-api.js';
import { Job, REPO_ROOT, type StepResult } from '../../test/harness/job.js';
import { type BenchCase, type Figure, median } from '../lib.js';

/**
 * Cold start of every action as the runner starts it (`node <bundle>`, INPUT_* variables, runner
 * files), against `node -e ""` spawned the same way in the same rounds. Rounds interleave the
 * commands, so load from other processes on the machine hits all of them alike.
 * Runners use Node 24: the bench uses it when .ci/run has fetched it (.cache/node24), else this Node.
 */
const NODE24 = process.env.AUTOSTACK_NODE24 ?? resolve(REPO_ROOT, '.cache/node24/bin/node');
const NODE = existsSync(NODE24) ? NODE24 : process.execPath;
const PROMPT = 'name: bench\nmessages:\n  - role: user\n    content: Summarize {{topic}} in one line.\n';
const KEY = 'sk-ant-bench-0000000000000000';

type Command = (job: Job, round: number) => Promise<StepResult | StepResult[]>;
/** A command and the untimed work around it (a case that needs a job of its own each round). */
interface Timed {
  before?: () => void;
  run: Command;
  after?: () => void;
}

function ok(results: StepResult | StepResult[]): void {
  for (const result of Array.isArray(results) ? results : [results]) {
    if (result.exitCode !== 0)
      throw new Error(
        `step failed (${result.exitCode}): ${result.stdout.slice(0, 300)} ${result.stderr.slice(0, 300)}`,
      );
  }
}

async function timed(command: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await command();
  return performance.now() - started;
}

/**
 * Steps that need a job of their own each round (record-run's post step runs every post step the
 * job registered): the job is made before the clock starts and removed after it stops, so the
 * figure is the two node processes, not the harness's temp folders (~5 ms a round).
 */
function withFreshJob(distRoot: string | undefined, steps: (job: Job) => Promise<StepResult[]>): Timed {
  let fresh: Job | undefined;
  return {
    before: () => (fresh = new Job({ nodePath: NODE, distRoot })),
    run: async () => {
      if (!fresh) throw new Error('withFreshJob: run without before');
      return steps(fresh);
    },
    after: () => {
      if (fresh) rmSync(fresh.root, { recursive: true, force: true });
      fresh = undefined;
    },
  };
}

/** The timed steps, in a job whose workspace has the prompt and a recorded reply for replay. */
async function actionCommands(job: Job, apiUrl: string, distRoot: string | undefined): Promise<Record<string, Timed>> {
  mkdirSync(join(job.workspace, 'prompts'), { recursive: true });
  writeFileSync(join(job.workspace, 'prompts', 'bench.prompt.yml'), PROMPT);
  const prompt = { 'prompt-file': 'prompts/bench.prompt.yml', input: 'topic: benchmarks' };
  // Record one reply, so run-prompt's replay mode answers without a network call.
  ok(
    await job.cli(
      ['run-prompt', '--prompt-file', prompt['prompt-file'], '--input', prompt.input, '--record', '--base-url', apiUrl],
      { ANTHROPIC_API_KEY: KEY },
    ),
  );
  const events = join(job.workspace, 'events.jsonl');
  return {
    'run-prompt (replay provider, prompt file)': {
      run: (j) => j.uses('actions/run-prompt', { ...prompt, provider: 'replay' }),
    },
    'emit-event (file target)': {
      run: (j, round) =>
        j.uses('actions/emit-event', {
          type: 'com.example.bench',
          data: 'n: 1',
          file: events,
          'idempotency-key': `cold-${round}`,
        }),
    },
    'record-run main (artifact off)': {
      run: (j) => j.uses('actions/record-run', { name: 'bench', artifact: 'false' }),
    },
    'record-run main + post': withFreshJob(distRoot, async (fresh) => [
      await fresh.uses('actions/record-run', { name: 'bench', artifact: 'false' }),
      ...(await fresh.complete()),
    ]),
    // No valid invocation without a model and evals: the issue's own measure, no inputs,
    // fails at input validation right after loading.
    'promote-prompt (no inputs: fails after loading)': { run: (j) => j.uses('actions/promote-prompt', {}) },
  };
}

export const cases: BenchCase[] = [
  {
    name: 'cold-start',
    async run({ smoke }) {
      const runs = smoke ? 3 : Number(process.env.BENCH_RUNS ?? 21);
      const api = await startAnthropicApi();
      api.setDefault(textReply('A one-line summary.'));
      const jobs: Job[] = [];
      try {
        const commands: Record<string, Timed> = { bare: { run: (j) => j.node(['-e', '']) } };
        // BENCH_BASELINE_DIST=<a copy of an older dist/>: the same commands against it, in the same rounds (A/B).
        const builds: Array<[string, string | undefined]> = [['', undefined]];
        if (process.env.BENCH_BASELINE_DIST)
          builds.push([' [baseline dist]', resolve(process.env.BENCH_BASELINE_DIST)]);
        for (const [suffix, distRoot] of builds) {
          const job = new Job({ nodePath: NODE, distRoot });
          jobs.push(job);
          for (const [name, command] of Object.entries(await actionCommands(job, api.url, distRoot)))
            commands[`${name}${suffix}`] = { ...command, run: (_j, round) => command.run(job, round) };
        }
        const job = jobs[0] as Job;
        const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
        for (let round = -1; round < runs; round++) {
          for (const [name, command] of Object.entries(commands)) {
            let result: StepResult | StepResult[] = [];
            const current = job;
            command.before?.();
            const ms = await timed(async () => (result = await command.run(current, round)));
            command.after?.();
            if (!name.startsWith('promote-prompt')) ok(result);
            if (round >= 0) samples[name]?.push(ms); // round -1 warms the file cache and the compile cache
          }
        }
        const bare = median(samples.bare ?? []);
        const baseline = {
          name: `node -e "" (${NODE === process.execPath ? process.version : 'Node 24'}, same spawn path)`,
          value: bare,
          unit: 'ms',
        };
        return Object.entries(samples)
          .filter(([name]) => name !== 'bare')
          .map(([name, values]): Figure => ({
            name,
            value: median(values),
            unit: 'ms',
            note: `median of ${values.length}`,
            baseline,
            target: { of: 'ratio', op: '<=', bound: name.includes('+ post') ? 2.3 : 1.3 },
          }));
      } finally {
        await api.close();
        for (const job of jobs) rmSync(job.root, { recursive: true, force: true });
      }
    },
  },
];
