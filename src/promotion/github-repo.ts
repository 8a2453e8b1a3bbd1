import type { GitHubClient } from '../github/client.js';
import { describeGitHubError, githubStatus } from '../github/errors.js';
import { parseRepository } from '../github/repository.js';
import type { JournaledStep } from '../runs/step.js';
import { UserError } from '../shared/errors.js';

/**
 * The GitHub side of a promotion, over @octokit/rest: read files at a ref, write them (contents
 * API, one commit per file), keep the promotion branch and pull request, and the one sticky
 * comment. Every write is journaled as `system.touched`.
 */

/** Runs one API call; failures become one-line UserErrors naming the call and what to check. */
async function call<T>(what: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (githubStatus(error) === undefined) throw error;
    throw new UserError(describeGitHubError(what, error, 'contents: write, pull-requests: write'));
  }
}

export interface RemoteFile {
  text: string;
  sha: string;
}

export class GitHubRepo {
  readonly owner: string;
  readonly repo: string;

  constructor(
    private readonly client: GitHubClient,
    repository: string,
    private readonly step: JournaledStep,
  ) {
    const parsed = parseRepository(repository);
    if (!parsed) throw new UserError(`GITHUB_REPOSITORY must be owner/name (got '${repository}')`);
    this.owner = parsed.owner;
    this.repo = parsed.repo;
  }

  get fullName(): string {
    return `${this.owner}/${this.repo}`;
  }

  private touched(operation: string, id: string): void {
    this.step.append({ type: 'system.touched', system: 'github', target: this.fullName, operation, id });
  }

  async defaultBranch(): Promise<string> {
    const { data } = await call(`GET /repos/${this.fullName}`, () =>
      this.client.rest.repos.get({ owner: this.owner, repo: this.repo }),
    );
    return data.default_branch;
  }

  async branchSha(branch: string): Promise<string | undefined> {
    try {
      const { data } = await this.client.rest.git.getRef({
        owner: this.owner,
        repo: this.repo,
        ref: `heads/${branch}`,
      });
      return data.object.sha;
    } catch (error) {
      if (githubStatus(error) === 404) return undefined;
      return call(`GET git/ref/heads/${branch}`, async () => {
        throw error;
      });
    }
  }

  async readFile(path: string, ref: string): Promise<RemoteFile | undefined> {
    let data: unknown;
    try {
      ({ data } = await this.client.rest.repos.getContent({ owner: this.owner, repo: this.repo, path, ref }));
    } catch (error) {
      if (githubStatus(error) === 404) return undefined;
      return call(`GET contents/${path}?ref=${ref}`, async () => {
        throw error;
      });
    }
    if (
      typeof data !== 'object' ||
      data === null ||
      Array.isArray(data) ||
      typeof (data as { content?: unknown }).content !== 'string'
    ) {
      throw new UserError(`${path} at ${ref} is not a file`);
    }
    const file = data as { content: string; sha: string };
    return { text: Buffer.from(file.content, 'base64').toString('utf8'), sha: file.sha };
  }

  /** Creates or updates one file on a branch; returns the new commit's sha. */
  async writeFile(
    path: string,
    text: string,
    options: { branch: string; message: string; sha?: string | undefined },
  ): Promise<string> {
    const what = `PUT contents/${path} on ${options.branch}`;
    let sha: string;
    try {
      const { data } = await this.client.rest.repos.createOrUpdateFileContents({
        owner: this.owner,
        repo: this.repo,
        path,
        branch: options.branch,
        message: options.message,
        content: Buffer.from(text, 'utf8').toString('base64'),
        ...(options.sha ? { sha: options.sha } : {}),
      });
      sha = data.commit.sha ?? '';
    } catch (error) {
      // A retried PUT whose first attempt landed (its answer was lost) conflicts with itself:
      // when the branch already holds exactly this text, the write is done.
      const status = githubStatus(error);
      const now = status === 409 || status === 422 ? await this.readFile(path, options.branch) : undefined;
      const head = now?.text === text ? await this.branchSha(options.branch) : undefined;
      if (head === undefined)
        return call(what, async () => {
          throw error;
        });
      this.touched('contents.put', `${options.branch}:${path}`);
      return head;
    }
    this.touched('contents.put', `${options.branch}:${path}`);
    return sha;
  }

  /** Points `branch` at `sha`, creating it or moving it (force: it holds only generated commits). */
  async resetBranch(branch: string, sha: string): Promise<void> {
    const current = await this.branchSha(branch);
    if (current === sha) return;
    if (current === undefined) {
      await call(`POST git/refs (${branch})`, () =>
        this.client.rest.git.createRef({ owner: this.owner, repo: this.repo, ref: `refs/heads/${branch}`, sha }),
      );
      this.touched('git.ref.create', branch);
    } else {
      await call(`PATCH git/refs/heads/${branch}`, () =>
        this.client.rest.git.updateRef({
          owner: this.owner,
          repo: this.repo,
          ref: `heads/${branch}`,
          sha,
          force: true,
        }),
      );
      this.touched('git.ref.update', branch);
    }
  }

  /** Opens the pull request from `head`, or updates the open one; idempotent across re-runs. */
  async upsertPull(
    head: string,
    base: string,
    title: string,
    body: string,
  ): Promise<{ number: number; url: string; created: boolean }> {
    const { data: open } = await call(`GET pulls?head=${head}`, () =>
      this.client.rest.pulls.list({
        owner: this.owner,
        repo: this.repo,
        head: `${this.owner}:${head}`,
        base,
        state: 'open',
        per_page: 10,
      }),
    );
    const existing = open[0];
    if (existing) {
      await call(`PATCH pulls/${existing.number}`, () =>
        this.client.rest.pulls.update({
          owner: this.owner,
          repo: this.repo,
          pull_number: existing.number,
          title,
          body,
        }),
      );
      this.touched('pulls.update', String(existing.number));
      return { number: existing.number, url: existing.html_url, created: false };
    }
    const { data } = await call('POST pulls', () =>
      this.client.rest.pulls.create({ owner: this.owner, repo: this.repo, head, base, title, body }),
    );
    this.touched('pulls.create', String(data.number));
    return { number: data.number, url: data.html_url, created: true };
  }

  /**
   * One comment per marker on an issue or pull request: found by the hidden marker and edited
   * in place on every run, created only when there is none.
   */
  async upsertComment(issueNumber: number, marker: string, body: string): Promise<{ id: number; created: boolean }> {
    const comments = await call(`GET issues/${issueNumber}/comments`, () =>
      this.client.paginate(this.client.rest.issues.listComments, {
        owner: this.owner,
        repo: this.repo,
        issue_number: issueNumber,
        per_page: 100,
      }),
    );
    const text = `${marker}\n${body}`;
    const existing = comments.find((comment) => comment.body?.includes(marker));
    if (existing) {
      await call(`PATCH issues/comments/${existing.id}`, () =>
        this.client.rest.issues.updateComment({
          owner: this.owner,
          repo: this.repo,
          comment_id: existing.id,
          body: text,
        }),
      );
      this.touched('issues.comment.update', String(existing.id));
      return { id: existing.id, created: false };
    }
    const { data } = await call(`POST issues/${issueNumber}/comments`, () =>
      this.client.rest.issues.createComment({
        owner: this.owner,
        repo: this.repo,
        issue_number: issueNumber,
        body: text,
      }),
    );
    this.touched('issues.comment.create', String(data.id));
    return { id: data.id, created: true };
  }
}
