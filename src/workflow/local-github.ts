import { existsSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
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

/**
 * The slice of GitHub's REST API that steps reach during a local run, on loopback: dispatches
 * (which start the matching workflows of the folder), the issue routes the GitHub tools use,
 * contents of the workspace, and the jobs API record-run reads step outcomes from. Anything
 * else answers 404 and is reported at the end of the run — never silently ignored.
 */
export class LocalGitHub {
  readonly activity: GitHubActivity[] = [];
  private server: Server | undefined;
  private labels = new Map<number, string[]>();
  private commentId = 1000;
  url = '';

  constructor(private readonly options: LocalGitHubOptions) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
    await new Promise<void>((resolvePromise) => this.server?.listen(0, '127.0.0.1', resolvePromise));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readJsonBody(request);
    if (body === undefined)
      return this.reply(request, response, 400, { message: 'Problems parsing JSON' }, 'invalid JSON body');
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = decodeURIComponent(url.pathname);
    const method = request.method ?? 'GET';
    const authorization = request.headers.authorization ?? '';
    const token = authorization.replace(/^(token|bearer)\s+/i, '');
    const from = this.options.owner(token);
    if (!from)
      return this.reply(
        request,
        response,
        401,
        { message: 'Bad credentials' },
        'a token the local runner did not issue',
      );

    const repoMatch = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
    if (!repoMatch) return this.notFound(request, response, from);
    const repository = `${repoMatch[1]}/${repoMatch[2]}`;
    const local = repository.toLowerCase() === this.options.repository.toLowerCase();
    const call: ApiCall = { request, response, url, method, body, from, repository, rest: repoMatch[3] ?? '', local };

    // Routes are tried in order; one that declines (returns false) lets the next one look.
    const served =
      this.serveRepositoryDispatch(call) ||
      this.serveWorkflowDispatch(call) ||
      this.serveWorkflow(call) ||
      this.serveJobs(call) ||
      this.serveIssue(call) ||
      this.serveRepository(call) ||
      this.serveContents(call) ||
      (await this.serveSessionRuns(call));
    if (!served) this.notFound(request, response, from);
  }

  /** Replies on behalf of the token owner; always true, so a route can `return this.answer(...)`. */
  private answer(call: ApiCall, status: number, body: unknown, summary: string, quiet = false): true {
    this.reply(call.request, call.response, status, body, summary, call.from, quiet);
    return true;
  }

  private answerNotFound(call: ApiCall): true {
    this.notFound(call.request, call.response, call.from);
    return true;
  }

  private serveRepositoryDispatch(call: ApiCall): boolean {
    const { body, repository, from } = call;
    if (call.method !== 'POST' || call.rest !== '/dispatches') return false;
    const eventType = body.event_type;
    if (typeof eventType !== 'string' || eventType.length === 0 || eventType.length > 100) {
      return this.answer(
        call,
        422,
        { message: 'Invalid request.\n\nevent_type must be a string of 1-100 characters' },
        'invalid event_type',
      );
    }
    const payload = body.client_payload ?? {};
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload) || Object.keys(payload).length > 10) {
      return this.answer(
        call,
        422,
        { message: 'Invalid request.\n\nclient_payload must be an object with at most 10 top-level properties' },
        'invalid client_payload',
      );
    }
    this.options.dispatch({ kind: 'repository_dispatch', repository, eventType, clientPayload: payload, from });
    return this.answer(call, 204, undefined, `repository_dispatch '${eventType}' to ${repository}`);
  }

  private serveWorkflowDispatch(call: ApiCall): boolean {
    const { body, repository, local, from } = call;
    const workflowDispatch = /^\/actions\/workflows\/([^/]+)\/dispatches$/.exec(call.rest);
    if (call.method !== 'POST' || !workflowDispatch) return false;
    const workflowName = workflowDispatch[1] ?? '';
    const found = local ? this.options.workflowFile(workflowName) : undefined;
    if (local && !found)
      return this.answer(call, 404, { message: 'Not Found' }, `workflow_dispatch to unknown workflow ${workflowName}`);
    const inputs = (body.inputs ?? {}) as Record<string, Json>;
    const dispatched = this.options.dispatch({
      kind: 'workflow_dispatch',
      repository,
      workflow: workflowName,
      ref: typeof body.ref === 'string' ? body.ref : 'main',
      inputs,
      from,
    });
    const summary = `workflow_dispatch of ${workflowName} in ${repository}`;
    if (body.return_run_details === true) {
      const runUrl = `${this.url}/repos/${repository}/actions/runs/${dispatched.runId}`;
      return this.answer(
        call,
        200,
        {
          workflow_run_id: dispatched.runId,
          run_url: runUrl,
          html_url: `https://github.com/${repository}/actions/runs/${dispatched.runId}`,
        },
        summary,
      );
    }
    return this.answer(call, 204, undefined, summary);
  }

  private serveWorkflow(call: ApiCall): boolean {
    const workflowGet = /^\/actions\/workflows\/([^/]+)$/.exec(call.rest);
    if (call.method !== 'GET' || !workflowGet || !call.local) return false;
    const found = this.options.workflowFile(workflowGet[1] ?? '');
    if (!found) return this.answerNotFound(call);
    return this.answer(
      call,
      200,
      { id: 1, name: found.name, path: found.path, state: 'active' },
      `read workflow ${found.path}`,
    );
  }

  private serveJobs(call: ApiCall): boolean {
    const jobs = /^\/actions\/runs\/(\d+)(?:\/attempts\/\d+)?\/jobs$/.exec(call.rest);
    if (call.method !== 'GET' || !jobs || !call.local) return false;
    const list = this.options.jobs(Number(jobs[1]));
    if (!list) return this.answerNotFound(call);
    return this.answer(call, 200, { total_count: list.length, jobs: list }, `read jobs of run ${jobs[1]}`, true);
  }

  /** An issue route with an unsupported method declines, so later routes still get their look. */
  private serveIssue(call: ApiCall): boolean {
    const { method, body } = call;
    const issue = /^\/issues\/(\d+)(\/labels|\/comments)?$/.exec(call.rest);
    if (!issue || !call.local) return false;
    const number = Number(issue[1]);
    const known = this.options.issue(number);
    if (!known) return this.answer(call, 404, { message: 'Not Found' }, `issue #${number} (not in the event payload)`);
    const labels = this.labels.get(number) ?? labelNames(known);
    if (method === 'GET' && !issue[2]) {
      return this.answer(
        call,
        200,
        { ...known, labels: labels.map((name) => labelObject(name)) },
        `read issue #${number}`,
        true,
      );
    }
    if (method === 'POST' && issue[2] === '/labels') {
      const added = Array.isArray(body.labels) ? body.labels.map(String) : [];
      const merged = [...labels, ...added.filter((name) => !labels.includes(name))];
      this.labels.set(number, merged);
      return this.answer(
        call,
        200,
        merged.map((name) => labelObject(name)),
        `labels on #${number}: ${added.join(', ')}`,
      );
    }
    if (method === 'POST' && issue[2] === '/comments') {
      const id = ++this.commentId;
      const comment = {
        id,
        body: typeof body.body === 'string' ? body.body : '',
        html_url: `https://github.com/${call.repository}/issues/${number}#issuecomment-${id}`,
        user: { login: 'github-actions[bot]' },
      };
      return this.answer(call, 201, comment, `comment on #${number}: ${oneLine(comment.body)}`);
    }
    return false;
  }

  private serveRepository(call: ApiCall): boolean {
    const { repository } = call;
    if (call.method !== 'GET' || call.rest !== '' || !call.local) return false;
    const [owner = '', name = ''] = repository.split('/');
    return this.answer(
      call,
      200,
      { full_name: repository, name, owner: { login: owner }, default_branch: 'main', private: false },
      `read ${repository}`,
      true,
    );
  }

  private serveContents(call: ApiCall): boolean {
    const contents = /^\/contents(?:\/(.*))?$/.exec(call.rest);
    if (call.method !== 'GET' || !contents || !call.local) return false;
    const relativePath = normalize(contents[1] ?? '.');
    if (relativePath.startsWith('..')) return this.answerNotFound(call);
    // The folder being run stands for .github/workflows, so a dispatcher reading a workflow's inputs finds it.
    const workflow = relativePath.startsWith('.github/workflows/')
      ? this.options.workflowFile(relativePath.slice('.github/workflows/'.length))
      : undefined;
    const path = workflow?.path ?? join(this.options.workspace, relativePath);
    if (!existsSync(path)) return this.answerNotFound(call);
    if (statSync(path).isDirectory()) {
      const entries = readdirSync(path).map((name) => ({
        name,
        path: join(relativePath, name),
        type: statSync(join(path, name)).isDirectory() ? 'dir' : 'file',
      }));
      return this.answer(call, 200, entries, `list ${relativePath}`, true);
    }
    const bytes = readFileSync(path);
    return this.answer(
      call,
      200,
      {
        type: 'file',
        encoding: 'base64',
        name: relativePath.split('/').pop() ?? '',
        path: relativePath,
        size: bytes.length,
        content: bytes.toString('base64'),
      },
      `read ${relativePath}`,
      true,
    );
  }

  private async serveSessionRuns(call: ApiCall): Promise<boolean> {
    const { method, url, from, response } = call;
    if (method !== 'GET' || !call.local || !this.options.runs) return false;
    const served = await serveRuns(this.options.runs, call.repository, call.rest, url.searchParams, this.url);
    if (served?.bytes) {
      this.activity.push({ method, path: url.pathname, status: 200, summary: served.summary, from });
      response.writeHead(200, { 'content-type': 'application/zip' });
      response.end(served.bytes);
      return true;
    }
    if (served) return this.answer(call, served.status, served.body, served.summary, true);
    return false;
  }

  private notFound(request: IncomingMessage, response: ServerResponse, from?: TokenOwner): void {
    this.reply(
      request,
      response,
      404,
      { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' },
      `not served by the local runner's GitHub API (404)`,
      from,
    );
  }

  private reply(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    body: unknown,
    summary: string,
    from?: TokenOwner,
    quiet = false,
  ): void {
    if (!quiet || status >= 400) {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      this.activity.push({ method: request.method ?? 'GET', path, status, summary, ...(from ? { from } : {}) });
    }
    if (body === undefined) {
      response.writeHead(status);
      response.end();
      return;
    }
    response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(body));
  }
}

/** One authenticated request to a /repos/{owner}/{repo} route, as the route handlers see it. */
interface ApiCall {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  method: string;
  body: Record<string, Json>;
  from: TokenOwner;
  repository: string;
  /** The path after /repos/{owner}/{repo}, '' for the repository itself. */
  rest: string;
  /** Whether the request names the repository being run, rather than some other one. */
  local: boolean;
}

/** The parsed JSON body ({} when empty), or undefined when the body is not valid JSON. */
async function readJsonBody(request: IncomingMessage): Promise<Record<string, Json> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, Json>;
  } catch {
    return undefined;
  }
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

function labelObject(name: string): Record<string, Json> {
  return { name, color: 'ededed', default: false, description: null };
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
