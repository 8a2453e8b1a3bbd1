import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UserError } from '../shared/errors.js';
import { packageRoot } from '../shared/package-paths.js';

const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string, number or boolean' });

const compositeStepSchema = z.looseObject({
  id: z.string().optional(),
  name: scalar.optional(),
  if: z.union([z.string(), z.boolean()]).optional(),
  run: z.string().optional(),
  shell: z.string().optional(),
  uses: z.string().optional(),
  with: z.record(z.string(), scalar.nullable()).optional(),
  env: z.record(z.string(), scalar.nullable()).optional(),
  'working-directory': z.string().optional(),
  'continue-on-error': z.union([z.boolean(), z.string()]).optional(),
});

/** What the runner reads from an action.yml (GitHub's metadata syntax); other keys are allowed and ignored. */
const manifestSchema = z.looseObject({
  name: z.unknown().optional(),
  inputs: z
    .record(
      z.string(),
      z
        .looseObject({
          default: scalar.nullish(),
          required: z.unknown().optional(),
          description: z.unknown().optional(),
        })
        .nullable(),
    )
    .nullish(),
  outputs: z
    .record(z.string(), z.looseObject({ description: z.unknown().optional(), value: scalar.optional() }).nullable())
    .nullish(),
  runs: z.looseObject({
    using: z.string(),
    main: z.string().optional(),
    pre: z.string().optional(),
    post: z.string().optional(),
    'pre-if': z.string().optional(),
    'post-if': z.string().optional(),
    steps: z.array(compositeStepSchema).optional(),
  }),
});

export type ActionManifest = z.infer<typeof manifestSchema>;
export type CompositeStep = z.infer<typeof compositeStepSchema>;

export type ResolvedAction =
  | {
      kind: 'node';
      uses: string;
      directory: string;
      manifest: ActionManifest;
      main: string;
      pre?: string;
      preIf: string;
      post?: string;
      postIf: string;
      label: string;
    }
  | {
      kind: 'composite';
      uses: string;
      directory: string;
      manifest: ActionManifest;
      steps: CompositeStep[];
      label: string;
    }
  | { kind: 'checkout'; uses: string; label: string };

export { packageRoot };

/** `your-org/autostack[/sub/path]@REF` → the sub path inside this package (any owner: forks and mirrors alike). */
export function autostackSubpath(uses: string): string | undefined {
  const match = /^[A-Za-z0-9][A-Za-z0-9-]*\/autostack(\/[^@]*)?@[^@\s]+$/.exec(uses);
  if (!match) return undefined;
  return (match[1] ?? '').replace(/^\//, '');
}

function readManifest(directory: string, uses: string, where: string): ActionManifest {
  const file = ['action.yml', 'action.yaml'].map((name) => join(directory, name)).find((path) => existsSync(path));
  if (!file) throw new UserError(`${where}: uses: ${uses} — no action.yml or action.yaml in ${directory}`);
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UserError(`${file}: not valid YAML: ${(error as Error).message}`, { file });
  }
  const runs = parsed && typeof parsed === 'object' ? (parsed as { runs?: { using?: unknown } }).runs : undefined;
  if (!runs || typeof runs.using !== 'string') throw new UserError(`${file}: an action needs runs.using`, { file });
  const manifest = manifestSchema.safeParse(parsed);
  if (!manifest.success) {
    const issue = manifest.error.issues[0];
    const where =
      (issue?.path ?? [])
        .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
        .join('')
        .replace(/^\./, '') || 'the action';
    throw new UserError(
      `${file}: ${where}: ${issue?.message ?? 'is invalid'} (see GitHub's metadata syntax for actions)`,
      { file },
    );
  }
  return manifest.data;
}

function fromDirectory(
  directory: string,
  uses: string,
  label: string,
  where: string,
  workspace: string,
  parents: string[],
): ResolvedAction {
  const manifest = readManifest(directory, uses, where);
  const using = manifest.runs.using;
  if (/^node\d+$/.test(using)) {
    if (!manifest.runs.main) throw new UserError(`${where}: uses: ${uses} — its action.yml has no runs.main`);
    for (const entry of [manifest.runs.main, manifest.runs.pre, manifest.runs.post].filter((value): value is string =>
      Boolean(value),
    )) {
      if (!existsSync(resolve(directory, entry))) {
        throw new UserError(
          `${where}: uses: ${uses} — its entry point ${resolve(directory, entry)} does not exist${/(^|\/)dist\//.test(entry) ? ' (build the bundles: npm run build)' : ''}.`,
        );
      }
    }
    return {
      kind: 'node',
      uses,
      directory,
      manifest,
      main: resolve(directory, manifest.runs.main),
      ...(manifest.runs.pre ? { pre: resolve(directory, manifest.runs.pre) } : {}),
      preIf: manifest.runs['pre-if'] ?? 'always()',
      ...(manifest.runs.post ? { post: resolve(directory, manifest.runs.post) } : {}),
      postIf: manifest.runs['post-if'] ?? 'always()',
      label,
    };
  }
  if (using === 'composite') {
    const steps = manifest.runs.steps ?? [];
    steps.forEach((step, index) => {
      const at = `${uses} (action.yml runs.steps[${index}])`;
      if (typeof step.run === 'string' && typeof step.shell !== 'string')
        throw new UserError(`${at}: a run: step of a composite action needs shell:`);
      if (typeof step.run !== 'string' && typeof step.uses !== 'string')
        throw new UserError(`${at}: a step needs run: or uses:`);
      if (typeof step.uses !== 'string') return;
      // GitHub stops composite actions nested deeper than 9; a composite that uses itself would never end.
      if (parents.includes(directory) || parents.length >= 9)
        throw new UserError(
          `${at}: uses: ${step.uses} — composite actions nest at most 9 levels deep (or this one uses itself).`,
        );
      resolveAction(step.uses, workspace, at, [...parents, directory]);
    });
    return { kind: 'composite', uses, directory, manifest, steps, label };
  }
  if (using === 'docker')
    throw new UserError(
      `${where}: uses: ${uses} is a Docker container action, which the local runner does not support.`,
    );
  throw new UserError(
    `${where}: uses: ${uses} has runs.using '${using}', which the local runner does not support (node actions only).`,
  );
}

/**
 * Resolves a step's `uses:`. Local actions (`./path`) and this repository's actions
 * (`your-org/autostack/actions/NAME@REF`, `your-org/autostack@REF`) run from the local checkout's
 * bundles; actions/checkout is satisfied by the workspace itself; anything else is refused.
 */
export function resolveAction(uses: string, workspace: string, where: string, parents: string[] = []): ResolvedAction {
  if (uses.startsWith('docker://'))
    throw new UserError(`${where}: uses: ${uses} runs a Docker image, which the local runner does not support.`);
  if (uses.startsWith('./') || uses.startsWith('../')) {
    return fromDirectory(resolve(workspace, uses), uses, uses, where, workspace, parents);
  }
  const subpath = autostackSubpath(uses);
  if (subpath !== undefined) {
    const root = packageRoot();
    const directory = join(root, subpath);
    if (!existsSync(directory)) {
      const available = readdirSync(join(root, 'actions')).map((name) => `actions/${name}`);
      throw new UserError(
        `${where}: uses: ${uses} — this autostack has no '${subpath}'; available: (root), ${available.join(', ')}`,
      );
    }
    return fromDirectory(
      directory,
      uses,
      subpath ? `autostack ${subpath.replace(/^actions\//, '')}` : 'autostack run-prompt',
      where,
      workspace,
      parents,
    );
  }
  if (/^actions\/checkout@/.test(uses))
    return { kind: 'checkout', uses, label: 'checkout (the workspace is the checkout)' };
  throw new UserError(
    `${where}: uses: ${uses} is a third-party action, which the local runner does not run. Supported: ./local node actions, your-org/autostack actions (run from this checkout's dist/), actions/checkout (the workspace itself). Replace it with a run: step, or run the workflow on GitHub.`,
  );
}

/** Job-level `uses:` of a reusable workflow: `./.github/workflows/x.yml` or `your-org/autostack/.github/workflows/x.yml@REF`. */
export function resolveReusableWorkflow(uses: string, workspace: string, where: string): string {
  if (uses.startsWith('./')) {
    const path = resolve(workspace, uses);
    if (!existsSync(path)) throw new UserError(`${where}: uses: ${uses} — no such workflow file (${path})`);
    return path;
  }
  const subpath = autostackSubpath(uses);
  if (subpath) {
    const path = join(packageRoot(), subpath);
    if (!existsSync(path)) throw new UserError(`${where}: uses: ${uses} — this autostack has no '${subpath}'`);
    return path;
  }
  throw new UserError(
    `${where}: uses: ${uses} is a reusable workflow in another repository, which the local runner cannot fetch. Use a local path (./.github/workflows/x.yml) or one of autostack's own (your-org/autostack/.github/workflows/x.yml@REF).`,
  );
}
