/**
 * One emulator of GitHub's REST API on loopback, for code that runs the real Octokit (or curl)
 * against `GITHUB_API_URL`: the local workflow runner serves it to the steps it runs
 * (`src/workflow/local-github.ts`), and the tests run against it (`test/fakes/github-api.ts`).
 *
 * A request passes, in order: the `before` hook (tests script faults there), signed artifact
 * blob URLs, the token check (`authenticate`), a JSON body check, the `override` hook (the local
 * runner's live sources: its workspace, jobs and runs), the route table (`routes.ts`, limited to
 * `groups`), and a recorded 404. Every request is recorded in `requests` with the status it got.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DOCS, getRepo, HttpError, isRecord, notFound } from './model.js';
import { ALL_GROUPS, COMPILED } from './routes.js';
import { EmulatorModel } from './seed.js';
import {
  DEFAULT_REPO,
  type GitHubEmulator,
  type GitHubEmulatorOptions,
  type RecordedRequest,
  type Reply,
  type RouteGroup,
} from './types.js';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The parsed JSON body; the raw text when it is not JSON (`json: false`); undefined when empty. */
function parseBody(raw: string): { body: unknown; json: boolean } {
  if (raw.length === 0) return { body: undefined, json: true };
  try {
    return { body: JSON.parse(raw) as unknown, json: true };
  } catch {
    return { body: raw, json: false };
  }
}

/** Token from `token X` / `Bearer X`; undefined when absent. */
export function tokenOf(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const m = /^(?:token|bearer)\s+(.+)$/i.exec(authorization.trim());
  return m ? m[1] : authorization.trim();
}

function recordRequest(req: IncomingMessage, raw: string): { rec: RecordedRequest; json: boolean; url: URL } {
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  let path = url.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // Keep the raw path; it will simply not match a route.
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  const { body, json } = parseBody(raw);
  const method = (req.method ?? 'GET').toUpperCase();
  return { rec: { method, path, query: Object.fromEntries(url.searchParams), headers, body }, json, url };
}

class EmulatorServer extends EmulatorModel implements GitHubEmulator {
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly groups: ReadonlySet<RouteGroup>;
  private readonly resetAt = Math.floor(Date.now() / 1000) + 3600;

  constructor(private readonly options: GitHubEmulatorOptions) {
    super(options.strictRepos ?? false);
    this.groups = new Set(options.groups ?? ALL_GROUPS);
    if (options.defaultRepo ?? true) this.repo(DEFAULT_REPO);
    for (const [name, setup] of Object.entries(options.repos ?? {})) this.repo(name, setup);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        // A bug in the emulator: answer 500 with the reason rather than hang the client.
        const message = error instanceof Error ? error.message : String(error);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ message: `emulator error: ${message}` }));
      });
    });
  }

  get url(): string {
    return this.world.url;
  }

  get unmatched(): RecordedRequest[] {
    return this.requests.filter((r) => r.unmatched);
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.world.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // Octokit's fetch keeps connections alive; without this close() waits for them to idle out.
      this.server.closeAllConnections();
    });
  }

  /** Headers GitHub sends on every response; a reply's headers override them. */
  private baseHeaders(): Record<string, string> {
    const used = this.requests.length;
    return {
      'x-github-request-id': `EMU:${used.toString(16).toUpperCase()}`,
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(Math.max(0, 5000 - used)),
      'x-ratelimit-reset': String(this.resetAt),
      'x-ratelimit-used': String(used),
      'x-ratelimit-resource': 'core',
    };
  }

  private send(res: ServerResponse, rec: RecordedRequest, reply: Reply): void {
    const { status, body } = reply;
    rec.status = status;
    const headers = this.baseHeaders();
    for (const [k, v] of Object.entries(reply.headers ?? {})) headers[k.toLowerCase()] = v;
    let payload: string | Buffer | undefined;
    if (body === undefined && status >= 400) {
      // An error without a body still looks like GitHub's.
      payload = JSON.stringify({
        message: STATUS_CODES[status] ?? 'Error',
        documentation_url: DOCS,
        status: String(status),
      });
    } else if (body === undefined || status === 204 || status === 304) {
      payload = undefined;
    } else if (typeof body === 'string' || Buffer.isBuffer(body)) {
      payload = body;
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else {
      payload = JSON.stringify(body);
    }
    if (payload !== undefined) headers['content-type'] ??= 'application/json; charset=utf-8';
    res.writeHead(status, headers);
    res.end(payload);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const { rec, json, url } = recordRequest(req, raw);
    this.requests.push(rec);

    const early = await this.options.before?.(rec);
    if (early) {
      rec.scripted = true;
      if ('reset' in early) {
        rec.status = 0;
        req.socket.destroy();
        return;
      }
      return this.send(res, rec, early);
    }
    this.send(res, rec, await this.answer(rec, json, url));
  }

  private async answer(rec: RecordedRequest, json: boolean, url: URL): Promise<Reply> {
    // Signed blob URLs (artifact downloads) carry their own signature, not the token.
    const blob = /^\/_artifact-blobs\/(\d+)\.zip$/.exec(rec.path);
    if (blob && rec.method === 'GET') {
      const artifact = [...this.state.runs.values()]
        .flatMap((run) => run.artifacts)
        .find((a) => a.id === Number(blob[1]));
      if (artifact) return { status: 200, body: artifact.zip, headers: { 'content-type': 'application/zip' } };
      return {
        status: 404,
        body: '<Error><Code>BlobNotFound</Code></Error>',
        headers: { 'content-type': 'application/xml' },
      };
    }
    const refused = this.options.authenticate?.(tokenOf(rec.headers['authorization']), rec);
    if (refused) return refused;
    if (!json)
      return { status: 400, body: { message: 'Problems parsing JSON', documentation_url: DOCS, status: '400' } };

    const repoPath = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(rec.path);
    if (repoPath && this.options.override) {
      const repository = `${repoPath[1]}/${repoPath[2]}`;
      const call = { request: rec, repository, rest: repoPath[3] ?? '', query: url.searchParams };
      const overridden = await this.options.override(call);
      if (overridden) return overridden;
    }
    return this.route(rec);
  }

  private route(rec: RecordedRequest): Reply {
    for (const route of COMPILED) {
      if (route.method !== rec.method || !this.groups.has(route.group)) continue;
      const m = route.pattern.exec(rec.path);
      if (!m) continue;
      const params: Record<string, string> = { ...m.groups };
      const fullName = `${params['owner'] ?? ''}/${params['repo'] ?? ''}`;
      const create = !this.world.strictRepos || (route.group === 'dispatch' && this.options.dispatchToAnyRepo === true);
      try {
        const repo = getRepo(this.world, fullName, create);
        if (!repo) throw notFound();
        const body = isRecord(rec.body) ? rec.body : {};
        const onDispatch = this.options.onDispatch ?? (() => undefined);
        return route.handler({ world: this.world, req: rec, params, repo, body, onDispatch });
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        return { status: error.status, body: error.body };
      }
    }
    // Nothing matched: a recorded 404, so a caller notices a call the emulator does not serve.
    rec.unmatched = true;
    this.options.onUnmatched?.(rec);
    return { status: 404, body: { message: 'Not Found', documentation_url: DOCS, status: '404' } };
  }
}

/** Starts the emulator on a free loopback port. */
export async function startGitHubEmulator(options: GitHubEmulatorOptions = {}): Promise<GitHubEmulator> {
  const emulator = new EmulatorServer(options);
  await emulator.listen();
  return emulator;
}
