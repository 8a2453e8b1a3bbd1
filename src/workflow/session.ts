// State shared by every workflow run of one `autostack workflow run`: the workspace, the
// loopback GitHub API, the dispatch queue, job tokens, running processes and the job slots.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { registerSecret } from '../shared/redact.js';
import { Semaphore } from '../shared/semaphore.js';
import { UserError } from '../shared/errors.js';
import type { Json } from './expressions.js';
import type { StepHook } from './hooks.js';
import type { LoadedWorkflow } from './load.js';
import type { LocalRunView } from './local-runs.js';
import { type DispatchRequest, type JobsApiJob, LocalGitHub, type TokenOwner } from './local-github.js';
import type { RunningProcess } from './process.js';
import { Reporter } from './reporter.js';
import type { RunnerOptions, SessionResult, WorkflowRunResult } from './types.js';

function gitInfo(workspace: string): { repository?: string; sha?: string; branch?: string } {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, {
        cwd: workspace,
        stdio: ['ignore', 'pipe', 'ignore'],
        encoding: 'utf8',
      }).trim();
    } catch {
      return undefined;
    }
  };
  const remote = git(['remote', 'get-url', 'origin']);
  const match = remote ? /github\.com[:/]([^/]+\/[^/]+?)(\.git)?$/.exec(remote) : null;
  return {
    repository: match?.[1],
    sha: git(['rev-parse', 'HEAD']),
    branch: git(['rev-parse', '--abbrev-ref', 'HEAD']),
  };
}

export type QueueEntry = DispatchRequest | { kind: 'workflow_run'; run: WorkflowRunResult };

export class Session {
  readonly workspace: string;
  readonly repository: string;
  readonly sha: string;
  /** The checkout's branch as a ref (refs/heads/…), for events that do not name one. */
  readonly ref: string;
  readonly reporter: Reporter;
  readonly github: LocalGitHub;
  private madeRoot: string | undefined;
  /** The runner's temp folder, made on first use: a session that never runs a job leaves nothing. */
  get root(): string {
    return (this.madeRoot ??= mkdtempSync(join(tmpdir(), 'autostack-workflow-')));
  }
  /** Removes the temp folder, if one was made. */
  removeRoot(): void {
    if (this.madeRoot !== undefined) rmSync(this.madeRoot, { recursive: true, force: true });
    this.madeRoot = undefined;
  }
  readonly hooks: StepHook[];
  /** The job slots (`--jobs`): one per job running at once, across every workflow run. */
  readonly slots: Semaphore;
  readonly nodePath: string;
  readonly tokens = new Map<string, TokenOwner>();
  readonly liveJobs = new Map<number, JobsApiJob[]>();
  readonly queue: QueueEntry[] = [];
  readonly dispatchLog: SessionResult['dispatches'] = [];
  readonly runs: WorkflowRunResult[] = [];
  readonly running = new Set<RunningProcess>();
  readonly workflowCache = new Map<string, LoadedWorkflow | Error>();
  nextRunId: number;
  runNumber = 0;
  jobCounter = 0;
  cancelled = false;
  folder = '';
  currentPayload: Json = {};
  /** Dispatched runs as a waiting parent sees them (emit-event wait), by run id. */
  readonly dispatchedRuns = new Map<number, LocalRunView>();
  /** Dispatched runs started early because a parent waits on them. */
  readonly inflight: Array<Promise<void>> = [];
  /** Set by the chain follower: starts a queued run now because a parent polls it. */
  startWanted: (runId: number) => void = () => undefined;

  constructor(
    readonly options: RunnerOptions,
    callbacks: {
      workflowFile: (name: string) => { path: string; name: string } | undefined;
      issue: (number: number) => Record<string, Json> | undefined;
    },
  ) {
    this.workspace = resolve(options.workspace ?? process.cwd());
    const git = gitInfo(this.workspace);
    this.repository = options.repository ?? git.repository ?? `local/${basename(this.workspace)}`;
    this.sha = git.sha ?? '0'.repeat(40);
    this.ref = `refs/heads/${git.branch && git.branch !== 'HEAD' ? git.branch : 'main'}`;
    this.reporter = new Reporter(options.out ?? process.stdout, { quiet: options.quiet, verbose: options.verbose });
    this.hooks = options.hooks ?? [];
    this.nodePath = options.nodePath ?? process.execPath;
    const jobs = options.jobs ?? Math.max(2, availableParallelism());
    if (!Number.isInteger(jobs) || jobs < 1)
      throw new UserError(`jobs must be a whole number of at least 1 (got ${jobs}).`);
    this.slots = new Semaphore(jobs);
    this.nextRunId = 10_000 + Math.floor(Math.random() * 80_000);
    for (const value of Object.values(options.secrets ?? {})) registerSecret(value);
    this.github = new LocalGitHub({
      repository: this.repository,
      workspace: this.workspace,
      owner: (token) => this.tokens.get(token),
      jobs: (runId) => this.liveJobs.get(runId),
      issue: callbacks.issue,
      workflowFile: callbacks.workflowFile,
      dispatch: (request) => {
        const dispatched = { ...request, runId: this.nextRunId++ };
        this.queue.push(dispatched);
        const name = request.workflow ?? request.eventType ?? request.kind;
        this.dispatchedRuns.set(dispatched.runId, {
          runId: dispatched.runId,
          name,
          displayTitle: name,
          event: request.kind,
          status: 'queued',
          conclusion: null,
          createdAt: new Date().toISOString(),
          records: [],
        });
        return dispatched;
      },
      runs: { runs: () => [...this.dispatchedRuns.values()], wanted: (runId) => this.startWanted(runId) },
    });
  }

  /** A fresh job token: masked, and known to the loopback API as this job's. */
  issueToken(owner: TokenOwner): string {
    const token = `ghs_local${randomBytes(16).toString('hex')}`;
    registerSecret(token);
    this.tokens.set(token, owner);
    return token;
  }
}
