import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { REPOSITORY_NAME } from '../github/repository.js';
import { UserError } from '../shared/errors.js';
import type { CloudEvent } from './envelope.js';

/**
 * The relay's routing file: which event types become which dispatch.
 *
 * ```yaml
 * repository: octo-org/default-target     # optional default for every route
 * unrouted: dead-letter                   # or skip (acknowledge events no route matches)
 * routes:
 *   - match: com.example.issue.*          # `*` = one dot-separated segment, `**` = anything
 *     repository: octo-org/triage
 *     event-type: issue-event             # repository_dispatch; default: the event's type
 *   - match: [com.example.deploy.requested]
 *     repository: octo-org/app
 *     workflow: deploy.yml                # workflow_dispatch instead
 *     ref: main                           # default: the repository's default branch
 *     inputs:
 *       environment: "{{ data.environment }}"
 *     token-env: APP_DISPATCH_TOKEN       # token for this route (default GITHUB_TOKEN / --github-token)
 * ```
 *
 * Every route whose pattern matches fires (fan-out), in file order. Templates in `event-type` and
 * `inputs`: `{{ type }}`, `{{ id }}`, `{{ source }}`, `{{ subject }}`, `{{ idempotencykey }}`,
 * `{{ event }}` (the whole envelope as JSON) and `{{ data.path.to.field }}`; a missing value is ''.
 */

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const routeSchema = z
  .strictObject({
    match: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
      error: 'must be an event type pattern or a list of them',
    }),
    repository: z.string().regex(REPOSITORY_NAME, 'must be owner/repo').optional(),
    'event-type': z.string().min(1).max(100, 'must be at most 100 characters (GitHub limit for event_type)').optional(),
    workflow: z.string().min(1).optional(),
    ref: z.string().min(1).optional(),
    inputs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    'token-env': z.string().regex(ENV_NAME, 'must be an environment variable name').optional(),
  })
  .superRefine((route, ctx) => {
    if (route.workflow === undefined) {
      for (const key of ['ref', 'inputs'] as const) {
        if (route[key] !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: `only applies to a workflow route (add workflow: <file>.yml)`,
          });
      }
    } else if (route['event-type'] !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['event-type'],
        message: 'is for repository_dispatch; a route with workflow: sends workflow_dispatch. Use one of the two',
      });
    }
    if (route.inputs && Object.keys(route.inputs).length > 25) {
      ctx.addIssue({
        code: 'custom',
        path: ['inputs'],
        message: 'has more than 25 inputs (GitHub limit for workflow_dispatch)',
      });
    }
  });

const routingSchema = z.strictObject({
  version: z.literal(1).optional(),
  repository: z.string().regex(REPOSITORY_NAME, 'must be owner/repo').optional(),
  unrouted: z.enum(['dead-letter', 'skip']).optional(),
  routes: z.array(routeSchema).min(1, 'must list at least one route'),
});

type RawRoute = z.infer<typeof routeSchema>;

export type RouteTarget =
  | { kind: 'repository_dispatch'; repository: string; eventType: string | undefined; tokenEnv: string | undefined }
  | {
      kind: 'workflow_dispatch';
      repository: string;
      workflow: string;
      ref: string | undefined;
      inputs: Record<string, string | number | boolean>;
      tokenEnv: string | undefined;
    };

export interface Route {
  /** Position in the file, for messages: `routes[2] (relay.yml:14)`. */
  name: string;
  patterns: string[];
  target: RouteTarget;
  matches(type: string): boolean;
}

export interface Routing {
  file: string;
  routes: Route[];
  unrouted: 'dead-letter' | 'skip';
  /** Routes whose pattern matches the type, in file order. */
  match(type: string): Route[];
  /** Environment variables the routes read tokens from. */
  tokenEnvs(): string[];
}

/** `*` one dot-separated segment (no dots), `**` anything; everything else literal. */
export function compilePattern(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i] as string;
    if (char === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i += 1;
    } else if (char === '*') {
      source += '[^.]*';
    } else {
      source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

function lineOf(doc: ReturnType<typeof parseDocument>, lines: LineCounter, path: PropertyKey[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node: unknown = doc.getIn(path.slice(0, depth) as Array<string | number>, true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Parses routing YAML; errors name the file, the line and what would be valid. */
export function parseRouting(text: string, file: string): Routing {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0]?.line ?? lines.linePos(yamlError.pos[0]).line;
    throw new UserError(`${file}${line ? `:${line}` : ''}: not valid YAML: ${yamlError.message.split('\n')[0]}`, {
      file,
      line,
    });
  }
  const parsed = routingSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    const line = lineOf(doc, lines, path);
    const where =
      path.length > 0
        ? path
            .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
            .join('')
            .replace(/^\./, '')
        : 'the file';
    let message = issue?.message ?? 'is invalid';
    if (issue?.code === 'unrecognized_keys') message = `has unknown key(s) ${issue.keys.join(', ')}`;
    if (path.length === 0 && doc.contents === null) message = 'is empty; it needs a routes: list';
    const hint =
      path[0] === 'routes' || path.length === 0
        ? ' (a route has match, repository, and event-type or workflow [ref, inputs], token-env)'
        : '';
    throw new UserError(`${file}${line ? `:${line}` : ''}: ${where} ${message}${hint}`, { file, line });
  }
  const config = parsed.data;
  const routes = config.routes.map((raw: RawRoute, index): Route => {
    const line = lineOf(doc, lines, ['routes', index]);
    const name = `routes[${index}] (${file}${line ? `:${line}` : ''})`;
    const repository = raw.repository ?? config.repository;
    if (!repository)
      throw new UserError(
        `${file}${line ? `:${line}` : ''}: routes[${index}] has no repository (and there is no top-level repository default)`,
        { file, line },
      );
    const patterns = typeof raw.match === 'string' ? [raw.match] : raw.match;
    const compiled = patterns.map(compilePattern);
    const target: RouteTarget =
      raw.workflow !== undefined
        ? {
            kind: 'workflow_dispatch',
            repository,
            workflow: raw.workflow,
            ref: raw.ref,
            inputs: raw.inputs ?? {},
            tokenEnv: raw['token-env'],
          }
        : { kind: 'repository_dispatch', repository, eventType: raw['event-type'], tokenEnv: raw['token-env'] };
    return { name, patterns, target, matches: (type) => compiled.some((re) => re.test(type)) };
  });
  return {
    file,
    routes,
    unrouted: config.unrouted ?? 'dead-letter',
    match: (type) => routes.filter((route) => route.matches(type)),
    tokenEnvs: () => [...new Set(routes.map((r) => r.target.tokenEnv).filter((x): x is string => x !== undefined))],
  };
}

export function loadRouting(file: string): Routing {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(`Routing file ${file} cannot be read (${code ?? String(error)}); pass --routes <file.yml>`, {
      file,
    });
  }
  return parseRouting(text, file);
}

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

function lookup(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function show(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Renders `{{ name }}` placeholders from the event (see the top of this file). */
export function renderTemplate(template: string, event: CloudEvent): string {
  return template.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (_match, name: string) => {
    if (name === 'event') return JSON.stringify(event);
    const [head, ...rest] = name.split('.');
    if (head === 'data') return show(lookup(event.data, rest));
    return show(lookup(event, [head ?? '', ...rest]));
  });
}

/** A route's concrete dispatch for one event (templates rendered). */
export function resolveTarget(route: Route, event: CloudEvent): RouteTarget {
  const target = route.target;
  if (target.kind === 'repository_dispatch') {
    return {
      ...target,
      eventType: target.eventType === undefined ? undefined : renderTemplate(target.eventType, event),
    };
  }
  const inputs: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(target.inputs))
    inputs[name] = typeof value === 'string' ? renderTemplate(value, event) : value;
  return { ...target, inputs };
}
