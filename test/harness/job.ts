import { tempDir } from './temp.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { parseEnvFile } from '../../src/workflow/env-file.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI_BUNDLE = join(REPO_ROOT, 'dist', 'cli', 'index.js');

export interface StepResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  /** Variables the step exported through GITHUB_ENV. */
  exported: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  /** `::error::` workflow commands the step printed, message only. */
  errors: string[];
  warnings: string[];
}

export interface RunningStep {
  child: ChildProcess;
  done: Promise<StepResult>;
}

interface ActionManifest {
  inputs?: Record<string, { default?: string; required?: boolean }>;
  runs: { using: string; main: string; post?: string; 'post-if'?: string };
}

/**
 * action.yml files do not change while tests run: each is parsed once per process. A YAML parse
 * was ~4 ms of every `uses` the cold-start bench times against a bare `node` spawn.
 */
const manifests = new Map<string, ActionManifest>();
function readManifest(path: string): ActionManifest {
  let manifest = manifests.get(path);
  if (!manifest) {
    manifest = parseYaml(readFileSync(path, 'utf8')) as ActionManifest;
    manifests.set(path, manifest);
  }
  return manifest;
}

export interface JobOptions {
  /** Extra variables for every step (fake service URLs, tokens). */
  env?: Record<string, string>;
  /** Stands for `${{ github.token }}` in action.yml defaults. */
  githubToken?: string;
  eventName?: string;
  eventPayload?: Record<string, unknown>;
  /** The node binary that runs bundles (default: this process's); Node 24 is what runners use. */
  nodePath?: string;
  /** Where the bundles are (default: this checkout's dist/); the cold-start bench compares two builds. */
  distRoot?: string;
}

/**
 * One simulated job on a runner: steps run as child processes the way the runner runs them —
 * `node <bundle>` for actions with INPUT_* variables and defaults from action.yml, `bash -e` for
 * run: steps — sharing GITHUB_ENV exports, per-step GITHUB_OUTPUT/STATE/STEP_SUMMARY files, and
 * post steps run in reverse order with the state their main step saved.
 */
export class Job {
  readonly root: string;
  readonly workspace: string;
  readonly runnerTemp: string;
  readonly env: Record<string, string>;
  readonly summaries: string[] = [];
  private readonly posts: Array<{
    action: string;
    bundle: string;
    inputs: Record<string, string>;
    state: Record<string, string>;
  }> = [];
  private stepCounter = 0;

  constructor(private readonly options: JobOptions = {}) {
    this.root = tempDir('autostack-job-');
    this.workspace = join(this.root, 'workspace');
    this.runnerTemp = join(this.root, 'runner-temp');
    mkdirSync(this.workspace, { recursive: true });
    mkdirSync(this.runnerTemp, { recursive: true });
    const eventPath = join(this.root, 'event.json');
    writeFileSync(eventPath, JSON.stringify(options.eventPayload ?? {}));
    this.env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? this.root,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_NAME: 'autostack-test-runner',
      RUNNER_TEMP: this.runnerTemp,
      RUNNER_TOOL_CACHE: join(this.root, 'tool-cache'),
      GITHUB_WORKSPACE: this.workspace,
      GITHUB_REPOSITORY: 'octo-org/octo-repo',
      GITHUB_REPOSITORY_OWNER: 'octo-org',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_NUMBER: '7',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: 'triage',
      GITHUB_WORKFLOW: 'Issue triage',
      GITHUB_SHA: 'a'.repeat(40),
      GITHUB_REF: 'refs/heads/main',
      GITHUB_REF_NAME: 'main',
      GITHUB_EVENT_NAME: options.eventName ?? 'push',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_ACTOR: 'octocat',
      GITHUB_SERVER_URL: 'https://github.com',
      ...options.env,
    };
  }

  /** Runs an action's main entry (`actions/<name>` or `.` for the root action). */
  async uses(action: string, inputs: Record<string, string> = {}): Promise<StepResult> {
    return this.startUses(action, inputs).done;
  }

  startUses(action: string, inputs: Record<string, string> = {}): RunningStep {
    const manifestPath = join(REPO_ROOT, action, 'action.yml');
    const manifest = readManifest(manifestPath);
    const resolvedInputs = this.applyDefaults(manifest, inputs);
    const bundle = this.bundlePath(resolve(dirname(manifestPath), manifest.runs.main));
    const running = this.spawnNode(bundle, resolvedInputs, {});
    return {
      child: running.child,
      done: running.done.then((result) => {
        if (manifest.runs.post) {
          this.posts.push({
            action,
            bundle: this.bundlePath(resolve(dirname(manifestPath), manifest.runs.post)),
            inputs: resolvedInputs,
            state: result.state,
          });
        }
        return result;
      }),
    };
  }

  /** A run: step, as `bash --noprofile --norc -eo pipefail {0}` like the runner's default shell. */
  async run(script: string, env: Record<string, string> = {}): Promise<StepResult> {
    return this.startRun(script, env).done;
  }

  startRun(script: string, env: Record<string, string> = {}): RunningStep {
    const scriptPath = join(this.root, `step-${++this.stepCounter}.sh`);
    writeFileSync(scriptPath, script);
    return this.spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', scriptPath], env);
  }

  /** The autostack CLI bundle, as a run: step would call it. */
  async cli(args: string[], env: Record<string, string> = {}): Promise<StepResult> {
    return this.startCli(args, env).done;
  }

  startCli(args: string[], env: Record<string, string> = {}): RunningStep {
    return this.spawn(this.options.nodePath ?? process.execPath, [CLI_BUNDLE, ...args], env);
  }

  /** Plain `node ARGS` spawned exactly like a step (same env, files, cwd): a baseline for start times. */
  async node(args: string[], env: Record<string, string> = {}): Promise<StepResult> {
    return this.spawn(this.options.nodePath ?? process.execPath, args, env).done;
  }

  /** Runs the registered post steps, last registered first, as the runner does. */
  async complete(): Promise<StepResult[]> {
    const results: StepResult[] = [];
    for (const post of [...this.posts].reverse()) {
      const stateEnv = Object.fromEntries(Object.entries(post.state).map(([key, value]) => [`STATE_${key}`, value]));
      results.push(await this.spawnNode(post.bundle, post.inputs, stateEnv).done);
    }
    this.posts.length = 0;
    return results;
  }

  private bundlePath(path: string): string {
    const { distRoot } = this.options;
    return distRoot ? join(distRoot, relative(join(REPO_ROOT, 'dist'), path)) : path;
  }

  private applyDefaults(manifest: ActionManifest, inputs: Record<string, string>): Record<string, string> {
    const resolved: Record<string, string> = {};
    for (const [name, spec] of Object.entries(manifest.inputs ?? {})) {
      if (spec.default !== undefined) resolved[name] = this.evaluateDefault(String(spec.default));
    }
    for (const name of Object.keys(inputs)) {
      if (!(name in (manifest.inputs ?? {})))
        throw new Error(`test passes input '${name}' that action.yml does not declare`);
    }
    return { ...resolved, ...inputs };
  }

  private evaluateDefault(value: string): string {
    return value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_match, expression: string) => {
      if (expression === 'github.token') return this.options.githubToken ?? '';
      if (expression === 'github.repository') return this.env.GITHUB_REPOSITORY ?? '';
      if (expression === 'github.run_id') return this.env.GITHUB_RUN_ID ?? '';
      throw new Error(`harness cannot evaluate \${{ ${expression} }} in an action.yml default`);
    });
  }

  private spawnNode(bundle: string, inputs: Record<string, string>, extraEnv: Record<string, string>): RunningStep {
    if (!existsSync(bundle)) throw new Error(`bundle ${bundle} is missing: run npm run build`);
    const inputEnv = Object.fromEntries(
      Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]),
    );
    return this.spawn(this.options.nodePath ?? process.execPath, [bundle], { ...inputEnv, ...extraEnv });
  }

  private spawn(command: string, args: string[], stepEnv: Record<string, string>): RunningStep {
    const id = ++this.stepCounter;
    const files = {
      GITHUB_OUTPUT: join(this.root, `output-${id}`),
      GITHUB_ENV: join(this.root, `env-${id}`),
      GITHUB_STATE: join(this.root, `state-${id}`),
      GITHUB_STEP_SUMMARY: join(this.root, `summary-${id}`),
      GITHUB_PATH: join(this.root, `path-${id}`),
    };
    for (const file of Object.values(files)) writeFileSync(file, '');
    const child = spawn(command, args, {
      cwd: this.workspace,
      env: { ...this.env, ...stepEnv, ...files },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const done = new Promise<StepResult>((resolvePromise, reject) => {
      child.on('error', reject);
      child.on('close', (exitCode, signal) => {
        const exported = parseEnvFile(readFileSync(files.GITHUB_ENV, 'utf8'));
        Object.assign(this.env, exported);
        const summary = readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8');
        if (summary) this.summaries.push(summary);
        resolvePromise({
          exitCode,
          signal,
          stdout,
          stderr,
          outputs: parseEnvFile(readFileSync(files.GITHUB_OUTPUT, 'utf8')),
          exported,
          state: parseEnvFile(readFileSync(files.GITHUB_STATE, 'utf8')),
          summary,
          errors: commandMessages(stdout, 'error'),
          warnings: commandMessages(stdout, 'warning'),
        });
      });
    });
    return { child, done };
  }
}

/**
 * What the runner would show of a step's output: `::add-mask::` commands are consumed by the
 * runner (that is how a secret gets masked), so they are the one place a secret may appear.
 */
export function visibleLog(result: StepResult): string {
  return `${result.stdout}\n${result.stderr}`
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n');
}

function commandMessages(stdout: string, command: string): string[] {
  const pattern = new RegExp(`^::${command}(?: [^:]*)?::(.*)$`, 'gm');
  return [...stdout.matchAll(pattern)].map((match) =>
    (match[1] ?? '').replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'),
  );
}

/** The output names an action declares in its action.yml: the CLI's --json must use the same. */
export function actionOutputNames(action: string): string[] {
  const manifest = parseYaml(readFileSync(join(REPO_ROOT, 'actions', action, 'action.yml'), 'utf8')) as {
    outputs?: Record<string, unknown>;
  };
  return Object.keys(manifest.outputs ?? {}).sort();
}
