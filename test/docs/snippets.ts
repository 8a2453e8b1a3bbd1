// What the documentation snippet test reads: every ```yaml block of the user docs, with the
// file and line it starts on, classified by shape. Kept apart from the test so the rules stay
// readable there.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '../harness/job.js';

export interface Snippet {
  /** `README.md:12` — the line of the opening fence. */
  where: string;
  file: string;
  /** Line of the snippet's first line in its file (1-based). */
  line: number;
  text: string;
}

/** README.md, CONTRIBUTING.md, actions/<name>/README.md and docs/*.md. */
export function documentationFiles(): string[] {
  const actions = readdirSync(join(REPO_ROOT, 'actions')).map((name) => `actions/${name}/README.md`);
  const docs = readdirSync(join(REPO_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`);
  return ['README.md', 'CONTRIBUTING.md', ...actions, ...docs];
}

export function yamlSnippets(file: string): Snippet[] {
  const lines = readFileSync(join(REPO_ROOT, file), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  let open: { line: number; yaml: boolean } | undefined;
  const body: string[] = [];
  lines.forEach((text, index) => {
    const fence = /^\s*```(\S*)/.exec(text);
    if (!fence) {
      if (open) body.push(text);
      return;
    }
    if (!open) {
      open = { line: index + 1, yaml: /^ya?ml$/i.test(fence[1] ?? '') };
      body.length = 0;
      return;
    }
    if (open.yaml) snippets.push({ where: `${file}:${open.line}`, file, line: open.line + 1, text: body.join('\n') });
    open = undefined;
  });
  return snippets;
}

export type Shape =
  | { kind: 'workflow' }
  | { kind: 'jobs' }
  | { kind: 'job-body'; indent: number }
  | { kind: 'steps'; indent: number }
  | { kind: 'prompt-file' }
  | { kind: 'prompt-tools' }
  | { kind: 'relay-routes' }
  | { kind: 'skipped'; reason: string }
  | { kind: 'invalid'; error: string }
  | { kind: 'unknown' };

const indentOf = (text: string) => /^( *)\S/m.exec(text.replace(/^\s*#.*$/gm, ''))?.[1]?.length ?? 0;

/** Recognises a snippet by what it holds, not by where it sits. */
export function shapeOf(snippet: Snippet): Shape {
  let value: unknown;
  try {
    value = parseYaml(snippet.text);
  } catch (error) {
    return { kind: 'invalid', error: (error as Error).message.split('\n')[0] ?? 'not valid YAML' };
  }
  if (Array.isArray(value)) return { kind: 'steps', indent: indentOf(snippet.text) };
  if (!value || typeof value !== 'object') return { kind: 'unknown' };
  const keys = Object.keys(value);
  if (keys.includes('jobs')) return keys.includes('on') ? { kind: 'workflow' } : { kind: 'jobs' };
  if (keys.includes('steps')) return { kind: 'job-body', indent: indentOf(snippet.text) };
  if (keys.includes('messages')) return { kind: 'prompt-file' };
  if (keys.includes('routes')) return { kind: 'relay-routes' };
  if (keys.length === 1 && keys[0] === 'tools') return { kind: 'prompt-tools' };
  if ((value as { format?: unknown }).format === 'autostack.prompts-lock/v1') {
    return {
      kind: 'skipped',
      reason:
        'an illustrative prompt lock file (hashes elided with …); the lock file format is tested in test/promotion',
    };
  }
  return { kind: 'unknown' };
}

/**
 * A fragment made into a workflow actionlint can read. The fragment's lines keep their own
 * indentation, so a finding's line is the header's length plus the line in the snippet.
 */
export function asWorkflow(snippet: Snippet, shape: Shape): { text: string; headerLines: number } {
  const header: Record<string, string[]> = {
    workflow: [],
    jobs: ['on: workflow_dispatch'],
    'job-body': ['on: workflow_dispatch', 'permissions: {}', 'jobs:', '  snippet:', '    runs-on: ubuntu-latest'],
    steps: [
      'on: workflow_dispatch',
      'permissions: {}',
      'jobs:',
      '  snippet:',
      '    runs-on: ubuntu-latest',
      '    steps:',
    ],
  };
  const lines = header[shape.kind] ?? [];
  const wanted = shape.kind === 'job-body' ? 4 : shape.kind === 'steps' ? 6 : 0;
  const have = 'indent' in shape ? shape.indent : 0;
  const body = snippet.text
    .split('\n')
    .map((line) =>
      line.trim() === ''
        ? line
        : wanted > have
          ? ' '.repeat(wanted - have) + line
          : line.slice(Math.min(have - wanted, line.length - line.trimStart().length)),
    )
    .join('\n');
  return { text: `${[...lines, body].join('\n')}\n`, headerLines: lines.length };
}
