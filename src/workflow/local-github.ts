import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type {
  GitHubEmulator,
  RecordedRequest,
  RepoRequest,
  Reply,
  RepositoryDispatchRecord,
  WorkflowDispatchRecord,
} from '../github-emulator/types.js';
import { parseRepository } from '../github/repository.js';
import type { Json } from './expressions.js';
import { type LocalRunsSource, serveRuns } from './local-runs.js';

/** Who holds a token: every job gets its own, so the server knows which job sent a request. */
export interface TokenOwner {
  workflow: string;
  job: string;
  runId: number;
}

export interface DispatchRequest {
  kind: 'repository_dispatch' | 'workflow_dispatch';
  repository: string;
  /** repository_dispatch */
  eventType?: string;
  clientPayload?: Json;
  /** workflow_dispatch: file name or id as given in the URL */
  workflow?: string;
  ref?: string;
  inputs?: Record<string, Json>;
  /** Run id given to the run this dispatch starts (returned by return_run_details). */
  runId: number;
  from: TokenOwner;
}

export interface GitHubActivity {
  method: string;
  path: string;
  status: number;
  summary: string;
  from?: TokenOwner;
}

export interface JobsApiStep {
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: 'success' | 'failure' | 'cancelled' | 'skipped' | null;
  number: number;
  started_at: string | null;
  completed_at: string | null;
}

export interface JobsApiJob {
  id: number;
  run_id: number;
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion: string | null;
  runner_name: string;
  started_at: string;
  steps: JobsApiStep[];
}

export interface LocalGitHubOptions {
  repository: string;
  workspace: string;
  owner(token: string): TokenOwner | undefined;
  jobs(runId: number): JobsApiJob[] | undefined;
  /** The event payload's issue or pull request with this number, if any. */
  issue(number: number): Record<string, Json> | undefined;
  /** A workflow file of the folder being run, by file name; undefined when there is none. */
  workflowFile(name: string): { path: string; name: string } | undefined;
  dispatch(request: Omit<DispatchRequest, 'runId'>): DispatchRequest;
  /** Workflow runs of the session, for parents that wait on the runs they dispatched. */
  runs?: LocalRunsSource | undefined;
}

const NOT_FOUND: Reply = {
  status: 404,
  body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
};

/**
 * The local runner's loopback GitHub API: the one emulator (`src/github-emulator/`) with the
 * local run plugged in. Only the token of a job of this run is accepted; dispatches start the
 * matching workflows of the folder; issues come from the event payload; contents are the
 * workspace; the jobs API and workflow runs are the runner's own. Routes outside that slice
 * (pull requests, git refs, …) answer 404 and are reported at the end of the run — never
 * silently ignored.
 */
export class LocalGitHub {
  private emulator: GitHubEmulator | undefined;
  private tokenOf: (authorization: string | undefined) => string | undefined = () => undefined;
  /** Summaries the live routes chose for the requests they answered. */
  private readonly summaries = new WeakMap<RecordedRequest, string>();
  url = '';

  constructor(private readonly options: LocalGitHubOptions) {}

  async start(): Promise<string> {
    // Loaded by `workflow run` only: the rest of the CLI does not pay for the emulator at start-up.
    const { startGitHubEmulator, tokenOf } = await import('../github-emulator/server.js');
    this.tokenOf = tokenOf;
    this.emulator = await startGitHubEmulator({
      defaultRepo: false,
      repos: { [this.options.repository]: {} },
      strictRepos: true,
      dispatchToAnyRepo: true,
      groups: ['repository', 'dispatch', 'actions', 'issues'],
      authenticate: (token) =>
        token !== undefined && this.options.owner(token)
          ? undefined
          : { status: 401, body: { message: 'Bad credentials' } },
      override: (call) => this.override(call),
      onDispatch: (record, notice) => this.dispatched(record, notice.workflow),
    });
    this.url = this.emulator.url;
    return this.url;
  }

  async close(): Promise<void> {
    await this.emulator?.close();
  }

  /** What steps asked for, in order: writes and failures; successful reads are left out. */
  get activity(): GitHubActivity[] {
    return (this.emulator?.requests ?? [])
      .filter((request) => request.method !== 'GET' || (request.status ?? 0) >= 400 || this.loudRead(request))
      .map((request) => {
        const from = this.ownerOf(request.headers);
        const { method, path } = request;
        return { method, path, status: request.status ?? 0, summary: this.summary(request), ...(from ? { from } : {}) };
      });
  }

  private loudRead(request: RecordedRequest): boolean {
    return this.summaries.has(request) || /\/actions\/workflows\/[^/]+$/.test(request.path);
  }

  private ownerOf(headers: Record<string, string>): TokenOwner | undefined {
    const token = this.tokenOf(headers['authorization']);
    return token === undefined ? undefined : this.options.owner(token);
  }

  private isLocal(repository: string): boolean {
    return repository.toLowerCase() === this.options.repository.toLowerCase();
  }

  /** The live parts of a local run, answered before (or prepared for) the emulator's routes. */
  private async override(call: RepoRequest): Promise<Reply | undefined> {
    const { request, rest } = call;
    const dispatch = /^\/actions\/workflows\/([^/]+)\/dispatches$/.exec(rest);
    // A name GitHub could not have (the emulator then answers 404) gets no repository made for it.
    if (!parseRepository(call.repository)) return undefined;
    if (request.method === 'POST' && dispatch) return this.prepareWorkflowDispatch(call, dispatch[1] ?? '');
    if (!this.isLocal(call.repository)) return undefined;
    const workflow = /^\/actions\/workflows\/([^/]+)$/.exec(rest);
    if (request.method === 'GET' && workflow) return this.registerWorkflow(call.repository, workflow[1] ?? '');
    const issue = /^\/issues\/(\d+)(?:\/.*)?$/.exec(rest);
    if (issue) return this.seedIssue(Number(issue[1]));
    if (request.method !== 'GET') return undefined;
    const jobs = /^\/actions\/runs\/(\d+)(?:\/attempts\/\d+)?\/jobs$/.exec(rest);
    if (jobs) {
      const list = this.options.jobs(Number(jobs[1]));
      return list ? { status: 200, body: { total_count: list.length, jobs: list } } : NOT_FOUND;
    }
    const contents = /^\/contents(?:\/(.*))?$/.exec(rest);
    if (contents) return this.contents(contents[1] ?? '.');
    if (!this.options.runs) return undefined;
    const served = await serveRuns(this.options.runs, call.repository, rest, call.query, this.url);
    if (!served) return undefined;
    if (served.bytes) {
      this.summaries.set(request, served.summary);
      return { status: 200, body: served.bytes, headers: { 'content-type': 'application/zip' } };
    }
    return { status: served.status, body: served.body };
  }

  /** A workflow of the folder being run is known to the emulator by the name the URL gives it. */
  private registerWorkflow(repository: string, name: string): Reply | undefined {
    const found = this.options.workflowFile(name);
    if (!found) return NOT_FOUND;
    const repo = this.emulator?.repo(repository);
    const known = [...(repo?.workflows.values() ?? [])].some((wf) => wf.path === `.github/workflows/${name}`);
    if (!known) this.emulator?.addWorkflow({ file: name, name: found.name }, repository);
    return undefined;
  }

  /**
   * The emulator checks a workflow_dispatch like GitHub; locally every branch is the workspace,
   * and another repository's workflows cannot be seen, so both are taken on trust.
   */
  private prepareWorkflowDispatch(call: RepoRequest, name: string): Reply | undefined {
    const emulator = this.emulator;
    if (!emulator) return undefined;
    const repo = emulator.repo(call.repository);
    if (this.isLocal(call.repository)) {
      const refused = this.registerWorkflow(call.repository, name);
      if (refused) return refused;
    } else if (![...repo.workflows.values()].some((wf) => wf.path === `.github/workflows/${name}`)) {
      emulator.addWorkflow({ file: name }, call.repository);
    }
    const body = call.request.body;
    const ref = body && typeof body === 'object' && 'ref' in body ? body.ref : undefined;
    const branch = typeof ref === 'string' ? ref.replace(/^refs\/heads\//, '') : undefined;
    if (branch && !repo.branches.has(branch)) emulator.createBranch(branch, { repo: call.repository });
    return undefined;
  }

  /** The event payload's issue becomes the emulator's, once; later label and comment writes stay. */
  private seedIssue(number: number): Reply | undefined {
    const repo = this.emulator?.repo(this.options.repository);
    if (!repo || repo.issues.has(number)) return undefined;
    const known = this.options.issue(number);
    if (!known) return NOT_FOUND;
    const user =
      known.user && typeof known.user === 'object' && !Array.isArray(known.user) ? known.user.login : undefined;
    this.emulator?.addIssue(
      {
        number,
        title: typeof known.title === 'string' ? known.title : '',
        ...(typeof known.body === 'string' ? { body: known.body } : {}),
        labels: labelNames(known),
        state: known.state === 'closed' ? 'closed' : 'open',
        ...(typeof user === 'string' ? { user } : {}),
        extra: known,
      },
      this.options.repository,
    );
    return undefined;
  }

  private contents(path: string): Reply {
    const relativePath = normalize(path);
    if (relativePath.startsWith('..')) return NOT_FOUND;
    // The folder being run stands for .github/workflows, so a dispatcher reading a workflow's inputs finds it.
    const workflow = relativePath.startsWith('.github/workflows/')
      ? this.options.workflowFile(relativePath.slice('.github/workflows/'.length))
      : undefined;
    const file = workflow?.path ?? join(this.options.workspace, relativePath);
    if (!existsSync(file)) return NOT_FOUND;
    if (statSync(file).isDirectory()) {
      const entries = readdirSync(file).map((name) => ({
        name,
        path: join(relativePath, name),
        type: statSync(join(file, name)).isDirectory() ? 'dir' : 'file',
      }));
      return { status: 200, body: entries };
    }
    const bytes = readFileSync(file);
    const name = relativePath.split('/').pop() ?? '';
    const content = bytes.toString('base64');
    return {
      status: 200,
      body: { type: 'file', encoding: 'base64', name, path: relativePath, size: bytes.length, content },
    };
  }

  /** An accepted dispatch starts the matching workflows of the folder (the session queues them). */
  private dispatched(
    record: RepositoryDispatchRecord | WorkflowDispatchRecord,
    workflow?: string,
  ): { runId: number } | undefined {
    // Authentication let only the tokens of this run's jobs through.
    const from = this.ownerOf(record.headers);
    if (!from) return undefined;
    if ('event_type' in record) {
      const { event_type: eventType, client_payload: payload } = record;
      const clientPayload = payload as Json;
      return this.options.dispatch({
        kind: 'repository_dispatch',
        repository: record.repo,
        eventType,
        clientPayload,
        from,
      });
    }
    return this.options.dispatch({
      kind: 'workflow_dispatch',
      repository: record.repo,
      workflow: workflow ?? '',
      ref: record.ref,
      inputs: record.inputs as Record<string, Json>,
      from,
    });
  }

  private summary(request: RecordedRequest): string {
    const chosen = this.summaries.get(request);
    if (chosen) return chosen;
    const status = request.status ?? 0;
    if (status === 401) return 'a token the local runner did not issue';
    if (status === 400) return 'invalid JSON body';
    if (request.unmatched) return "not served by the local runner's GitHub API (404)";
    const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, unknown>) : {};
    const at = /^\/repos\/([^/]+\/[^/]+)(\/.*)?$/.exec(request.path);
    const repository = at?.[1] ?? '';
    const rest = at?.[2] ?? '';
    const failed = status >= 400 ? ` (${status})` : '';
    if (rest === '/dispatches')
      return `repository_dispatch '${String(body.event_type ?? '')}' to ${repository}${failed}`;
    const workflow = /^\/actions\/workflows\/([^/]+)(\/dispatches)?$/.exec(rest);
    if (workflow?.[2]) return `workflow_dispatch of ${workflow[1] ?? ''} in ${repository}${failed}`;
    if (workflow) return `read workflow ${workflow[1] ?? ''}${failed}`;
    const issue = /^\/issues\/(\d+)(\/labels|\/comments)?$/.exec(rest);
    if (issue && status === 404) return `issue #${issue[1] ?? ''} (not in the event payload)`;
    if (issue?.[2] === '/labels') return `labels on #${issue[1] ?? ''}: ${labelList(body)}${failed}`;
    if (issue?.[2] === '/comments')
      return `comment on #${issue[1] ?? ''}: ${oneLine(String(body.body ?? ''))}${failed}`;
    return `${request.method} ${request.path}${failed}`;
  }
}

function labelList(body: Record<string, unknown>): string {
  return Array.isArray(body.labels) ? body.labels.map(String).join(', ') : '';
}

function labelNames(issue: Record<string, Json>): string[] {
  const labels = issue.labels;
  if (!Array.isArray(labels)) return [];
  return labels
    .map((label) =>
      label && typeof label === 'object' && !Array.isArray(label) ? String(label.name ?? '') : String(label),
    )
    .filter(Boolean);
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
