/**
 * The emulator's model API: what a caller sets up or reads back without HTTP — repositories,
 * runs and their jobs, artifacts, workflows, issues, branches, commits and pull requests.
 */
import {
  addWorkflow,
  commitToBranch,
  createPull,
  createRepo,
  getRepo,
  newIssue,
  newRun,
  now,
  resolveCommit,
  buildJob,
  type World,
} from './model.js';
import {
  type AddRunInput,
  type ApiJob,
  type ArtifactModel,
  type CommitOptions,
  DEFAULT_REPO,
  type EmulatorState,
  type IssueInput,
  type IssueModel,
  type JobInput,
  type OpenPullInput,
  type RepoModel,
  type RepoSetup,
  type RunDetails,
  type RunModel,
  type SetJobsOptions,
  type WorkflowModel,
} from './types.js';

function toBuffers(files: Record<string, string | null>): Record<string, Buffer | null> {
  const changes: Record<string, Buffer | null> = {};
  for (const [path, text] of Object.entries(files)) changes[path] = text === null ? null : Buffer.from(text);
  return changes;
}

export class EmulatorModel {
  protected readonly world: World;

  constructor(strictRepos: boolean) {
    const state: EmulatorState = { repos: new Map(), runs: new Map(), dispatches: [], workflowDispatches: [] };
    this.world = { state, url: '', strictRepos, nextId: 1_000_001 };
  }

  get state(): EmulatorState {
    return this.world.state;
  }

  /** Get (or create) a repository model; DEFAULT_REPO when no name is given. */
  repo(fullName: string = DEFAULT_REPO, setup?: RepoSetup): RepoModel {
    return getRepo(this.world, fullName, false) ?? createRepo(this.world, fullName, setup);
  }

  addRun(input: AddRunInput = {}): RunModel {
    const run = newRun(this.world, this.repo(input.repo), {
      name: input.name ?? 'CI',
      workflowId: input.workflowId ?? null,
      event: input.event ?? 'repository_dispatch',
    });
    if (input.displayTitle !== undefined) run.displayTitle = input.displayTitle;
    return run;
  }

  addArtifact(runId: number, name: string, zip: Buffer, opts: { expired?: boolean } = {}): ArtifactModel {
    const run = this.state.runs.get(runId);
    if (!run) throw new Error(`addArtifact: no run ${runId} (setJobs first)`);
    const artifact = { id: this.world.nextId++, name, zip, createdAt: now(), expired: opts.expired ?? false };
    run.artifacts.push(artifact);
    return artifact;
  }

  setRunDetails(runId: number, details: RunDetails): void {
    const run = this.state.runs.get(runId);
    if (!run) throw new Error(`setRunDetails: no run ${runId} (setJobs first)`);
    if (details.createdAt) run.createdAt = details.createdAt;
    if (details.actor) run.actor = details.actor;
    if (details.triggeringActor) run.triggeringActor = details.triggeringActor;
    if (details.approvals) run.approvals = details.approvals;
  }

  setJobs(runId: number, attempt: number, jobs: JobInput[], opts: SetJobsOptions = {}): ApiJob[] {
    const run =
      this.state.runs.get(runId) ??
      newRun(this.world, this.repo(opts.repo), {
        id: runId,
        name: opts.workflowName ?? 'CI',
        workflowId: null,
        event: opts.event ?? 'push',
        ...(opts.headBranch ? { headBranch: opts.headBranch } : {}),
        ...(opts.headSha ? { headSha: opts.headSha } : {}),
      });
    const built = jobs.map((job) => buildJob(this.world, run.repo, run, attempt, job));
    run.attempts.set(attempt, built);
    return built;
  }

  addWorkflow(input: { file: string; name?: string; inputs?: string[] }, repo?: string): WorkflowModel {
    return addWorkflow(this.world, this.repo(repo), input);
  }

  addIssue(input: IssueInput, repo?: string): IssueModel {
    return newIssue(this.world, this.repo(repo), input, false);
  }

  createBranch(name: string, opts: { from?: string; repo?: string } = {}): string {
    const repo = this.repo(opts.repo);
    const from = resolveCommit(repo, opts.from);
    if (!from) throw new Error(`createBranch: unknown ref ${opts.from ?? repo.defaultBranch}`);
    repo.branches.set(name, from.sha);
    return from.sha;
  }

  commitFiles(files: Record<string, string | null>, opts: CommitOptions = {}): string {
    const repo = this.repo(opts.repo);
    const branch = opts.branch ?? repo.defaultBranch;
    return commitToBranch(this.world, repo, branch, toBuffers(files), opts.message ?? 'Update files').sha;
  }

  openPull(input: OpenPullInput, repoName?: string): number {
    const repo = this.repo(repoName);
    const base = input.base ?? repo.defaultBranch;
    if (!repo.branches.has(input.head)) repo.branches.set(input.head, repo.branches.get(base) ?? '');
    commitToBranch(this.world, repo, input.head, toBuffers(input.files), input.title);
    return createPull(this.world, repo, {
      head: input.head,
      base,
      title: input.title,
      body: input.body ?? null,
      draft: input.draft ?? false,
      user: 'octocat',
    }).number;
  }

  readFile(path: string, opts: { ref?: string; repo?: string } = {}): string | undefined {
    return resolveCommit(this.repo(opts.repo), opts.ref)?.files.get(path)?.content.toString('utf8');
  }
}
