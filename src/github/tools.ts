import type Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { cleanUntrusted } from '../prompts/untrusted.js';
import type { GitHubClient } from './client.js';

/**
 * The GitHub tools a model may call: read an issue or pull request, list and read files, add
 * labels, comment. Each validates the model's input with zod and answers compact JSON, so a
 * malformed call comes back to the model as an error it can correct.
 */
export interface GitHubTool {
  definition: Anthropic.Tool;
  /** True when the tool changes the repository (labels, comments). */
  writes: boolean;
  /** The allow-list keys a declaration of this tool may (or, when required, must) give. */
  policy: ReadonlyArray<PolicyKey>;
  run(
    client: GitHubClient,
    repo: { owner: string; repo: string },
    input: unknown,
    policy?: GitHubToolPolicy,
  ): Promise<unknown>;
}

/** What the prompt file allows an acting tool to do; anything else is refused, not sent. */
export interface GitHubToolPolicy {
  allowedLabels?: readonly string[] | undefined;
  allowedIssues?: readonly number[] | undefined;
}
export type PolicyKey = 'allowed-labels' | 'allowed-issues';

/** A call the allow-list refuses: it goes back to the model as a tool error, nothing is sent. */
export class GitHubToolRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GitHubToolRefusal';
  }
}

function checkIssue(number: number, policy: GitHubToolPolicy | undefined): void {
  const allowed = policy?.allowedIssues;
  if (allowed && !allowed.includes(number))
    throw new GitHubToolRefusal(`#${number} is not in allowed-issues (${allowed.map((n) => `#${n}`).join(', ')})`);
}

const issueNumber = z.number().int().positive();

interface ToolSpec<S extends z.ZodType> {
  description: string;
  /** What the model must send; checked before the tool runs. */
  input: S;
  /** Changes the repository (default false). */
  writes?: boolean;
  policy?: PolicyKey[];
  /** Throws GitHubToolRefusal when the input is outside the declaration's allow-list. */
  check?: (input: z.output<S>, policy: GitHubToolPolicy | undefined) => void;
  run: (client: GitHubClient, repo: { owner: string; repo: string }, input: z.output<S>) => Promise<unknown>;
}

function tool<S extends z.ZodType>(name: string, spec: ToolSpec<S>): [string, GitHubTool] {
  const { description, input: schema, run, check } = spec;
  const writes = spec.writes ?? false;
  const inputSchema = z.toJSONSchema(schema) as Anthropic.Tool.InputSchema;
  return [
    name,
    {
      definition: { name, description, input_schema: inputSchema },
      writes,
      policy: spec.policy ?? [],
      run: (client, repo, input, policy) => {
        const parsed = schema.parse(input);
        check?.(parsed, policy);
        return run(client, repo, parsed);
      },
    },
  ];
}

const MAX_FILE_CHARS = 50_000;

/**
 * What issues and pull requests have in common, as the model is shown it. Title and body are
 * written by others: hidden carriers (HTML comments, invisible characters, alt text, link
 * titles) are stripped with a visible marker, as for untrusted variables.
 */
function threadSummary(data: {
  number: number;
  title: string;
  state: string;
  user: { login: string } | null;
  body?: string | null;
}) {
  return {
    number: data.number,
    title: cleanUntrusted(data.title),
    state: data.state,
    author: data.user?.login,
    body: cleanUntrusted(data.body ?? ''),
  };
}

export const GITHUB_TOOLS: ReadonlyMap<string, GitHubTool> = new Map([
  tool('github_get_issue', {
    description: 'Read an issue of this repository: title, body, labels, state, author.',
    input: z.object({ number: issueNumber }),
    run: async (client, repo, input) => {
      const { data } = await client.rest.issues.get({ ...repo, issue_number: input.number });
      const labels = data.labels.map((label) => (typeof label === 'string' ? label : label.name));
      return { ...threadSummary(data), labels, comments: data.comments };
    },
  }),
  tool('github_get_pull_request', {
    description: 'Read a pull request of this repository: title, body, state, branches, size.',
    input: z.object({ number: issueNumber }),
    run: async (client, repo, input) => {
      const { data } = await client.rest.pulls.get({ ...repo, pull_number: input.number });
      return {
        ...threadSummary(data),
        head: data.head.ref,
        base: data.base.ref,
        changedFiles: data.changed_files,
        additions: data.additions,
        deletions: data.deletions,
      };
    },
  }),
  tool('github_list_files', {
    description:
      'List files: those changed by a pull request (give pull_request), or a directory of the repository at a ref (give path, default the root).',
    input: z.object({ pull_request: issueNumber.optional(), path: z.string().optional(), ref: z.string().optional() }),
    run: async (client, repo, input) => {
      if (input.pull_request !== undefined) {
        const files = await client.paginate(client.rest.pulls.listFiles, {
          ...repo,
          pull_number: input.pull_request,
          per_page: 100,
        });
        return files.map((file) => ({
          path: file.filename,
          status: file.status,
          additions: file.additions,
          deletions: file.deletions,
        }));
      }
      const { data } = await client.rest.repos.getContent({ ...repo, path: input.path ?? '', ref: input.ref });
      const entries = Array.isArray(data) ? data : [data];
      return entries.map((entry) => ({ path: entry.path, type: entry.type, size: entry.size }));
    },
  }),
  tool('github_read_file', {
    description: 'Read a text file of the repository at a ref (default branch when ref is omitted).',
    input: z.object({ path: z.string().min(1), ref: z.string().optional() }),
    run: async (client, repo, input) => {
      const { data } = await client.rest.repos.getContent({ ...repo, path: input.path, ref: input.ref });
      if (Array.isArray(data) || data.type !== 'file' || !('content' in data))
        throw new Error(`${input.path} is not a file`);
      const text = Buffer.from(data.content, 'base64').toString('utf8');
      return text.length > MAX_FILE_CHARS
        ? `${text.slice(0, MAX_FILE_CHARS)}\n… (cut at ${MAX_FILE_CHARS} characters)`
        : text;
    },
  }),
  tool('github_add_labels', {
    description: 'Add labels to an issue or pull request of this repository.',
    input: z.object({ number: issueNumber, labels: z.array(z.string().min(1).max(50)).min(1).max(10) }),
    writes: true,
    policy: ['allowed-labels', 'allowed-issues'],
    check: (input, policy) => {
      checkIssue(input.number, policy);
      const allowed = policy?.allowedLabels ?? [];
      const refused = input.labels.filter((label) => !allowed.includes(label));
      if (refused.length > 0)
        throw new GitHubToolRefusal(
          `label ${refused.map((label) => JSON.stringify(label)).join(', ')} is not in allowed-labels (${allowed.join(', ')}); no label was added`,
        );
    },
    run: async (client, repo, input) => {
      const { number: issue_number, labels } = input;
      const { data } = await client.rest.issues.addLabels({ ...repo, issue_number, labels });
      return { labels: data.map((label) => label.name) };
    },
  }),
  tool('github_comment', {
    description: 'Post a comment on an issue or pull request of this repository.',
    input: z.object({ number: issueNumber, body: z.string().min(1).max(65_000) }),
    writes: true,
    policy: ['allowed-issues'],
    check: (input, policy) => checkIssue(input.number, policy),
    run: async (client, repo, input) => {
      const { number: issue_number, body } = input;
      const { data } = await client.rest.issues.createComment({ ...repo, issue_number, body });
      return { id: data.id, url: data.html_url };
    },
  }),
]);
