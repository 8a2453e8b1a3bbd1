// What the small actions' start paths load, through their bundles (issue 15, cold start): the
// libraries a path does not use stay out, so a start pays only for what it runs.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { Job, REPO_ROOT } from '../harness/job.js';

/** Text only that library's chunk holds (class and error names survive minification). */
const MARKERS = {
  yaml: 'YAMLParseError',
  zod: '$ZodError',
  'promotion core': 'first promotion on this channel',
  'dispatch code': '"DispatchError"',
  'Redis target': '"RedisTargetError"',
  'dispatch ledger': 'autostack-dispatched-',
  outbox: 'autostack.outbox/v1',
} as const;
type Library = keyof typeof MARKERS;

const CHUNKS = join(REPO_ROOT, 'dist', 'chunks');

/**
 * Runs an action's bundle as the runner does, with module hooks (NODE_OPTIONS=--import) that list
 * every file Node loads; returns the step and the libraries found in what was loaded.
 */
async function startOf(job: Job, action: string, inputs: Record<string, string>) {
  const list = join(job.root, 'loaded.txt');
  const hooks = join(job.root, 'hooks.mjs');
  writeFileSync(
    hooks,
    "import { appendFileSync } from 'node:fs';\n" +
      'export async function load(url, context, next) {\n' +
      "  if (url.startsWith('file:')) appendFileSync(process.env.AUTOSTACK_LOADED_LIST, `${url}\\n`);\n" +
      '  return next(url, context);\n}\n',
  );
  const register = join(job.root, 'register.mjs');
  writeFileSync(
    register,
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
  );
  job.env.NODE_OPTIONS = `--import ${pathToFileURL(register).href}`;
  job.env.AUTOSTACK_LOADED_LIST = list;
  writeFileSync(list, '');
  const result = await job.uses(action, inputs);
  const loaded = readFileSync(list, 'utf8')
    .split('\n')
    .filter((url) => url.includes('/dist/'))
    .map((url) => new URL(url));
  const text = loaded.map((url) => readFileSync(url, 'utf8')).join('\n');
  const libraries = (Object.keys(MARKERS) as Library[]).filter((library) => text.includes(MARKERS[library]));
  return { result, loaded, libraries };
}

describe('start paths load only what they use (bundles)', () => {
  const jobs: Job[] = [];
  const newJob = () => {
    const job = new Job({ githubToken: 'ghs_startPathsToken0000' });
    jobs.push(job);
    return job;
  };
  after(() => {
    for (const job of jobs) rmSync(job.root, { recursive: true, force: true });
  });

  test('every marker names a chunk that exists, so an absent marker means the library was not loaded', () => {
    const chunks = readdirSync(CHUNKS).map((file) => readFileSync(join(CHUNKS, file), 'utf8'));
    for (const marker of Object.values(MARKERS))
      assert.ok(
        chunks.some((chunk) => chunk.includes(marker)),
        `no chunk in dist/ holds ${marker}`,
      );
  });

  test('promote-prompt that fails on its inputs loads no yaml, zod, promotion core or emit targets', async () => {
    const { result, loaded, libraries } = await startOf(newJob(), 'actions/promote-prompt', {});
    assert.equal(result.exitCode, 1);
    assert.deepEqual(result.errors, ["Input 'prompt-file' is required"]);
    assert.ok(loaded.length > 0, 'the hooks saw the bundle load');
    assert.deepEqual(libraries, []);
  });

  test('emit-event to a file loads no yaml, zod, Redis, dispatch or outbox code', async () => {
    const job = newJob();
    const { result, libraries } = await startOf(job, 'actions/emit-event', {
      type: 'com.example.start',
      data: 'n: 1',
      file: 'events.jsonl',
    });
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.ok(existsSync(join(job.workspace, 'events.jsonl')));
    assert.deepEqual(libraries, []);
  });
});
