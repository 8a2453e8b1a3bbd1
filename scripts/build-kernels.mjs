// Start kernels: each action's start path in a few chunk files instead of one file per set of
// importers. esbuild puts a module in the chunk of the exact set of entry points (static entries
// and import() targets) that reach it, so the ~60 small modules every action loads at start
// (run-action, the runner files, @actions/core, redaction, inputs…) ended up in ~15 files, each
// costing the ES-module loader its own fetch, parse and link (~0.45 ms a file on Node 24).
//
// A kernel is a virtual module that imports every module of one start group: the modules on the
// start paths of exactly the same actions (record-run main and post, say). Each entry point that
// reaches any module of a group also imports its kernel (one import added at the end of that
// file), so every module of the group is reached by the same entry points and esbuild emits the
// group as one chunk. Modules stay single (no copy anywhere); only which file they land in changes.
import { readFileSync } from 'node:fs';
import { dirname, extname, relative, resolve } from 'node:path';

const KERNEL = 'autostack-start-kernel';

/**
 * Libraries that big keep their own chunks: a path that reaches one small module of a group loads
 * the whole group, and yaml (~115 KB) or zod (~150 KB) should load only where they are used.
 */
const OWN_CHUNK_BYTES = 24 * 1024;
const JOIN_BYTES = 4 * 1024;

const isVirtual = (path) => /^[\w-]+:/.test(path); // builtin:…, lazy-core:…: they follow their one importer
const packageOf = (path) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];

/**
 * From a first build's metafile: the start groups (start path = what one import() of an action's
 * entry reaches statically; group = the modules on exactly the same start paths) and, for each
 * entry point, the kernels it has to import.
 */
export function startGroups(metafile, { entries, actionEntries }) {
  const graph = importGraph(metafile, entries, actionEntries);
  const bytes = bytesByInput(metafile);
  const bigPackage = bigPackages(graph, bytes);
  const inCycle = cyclic(graph);
  const member = (path) =>
    !isVirtual(path) && !graph.entryPoints.includes(path) && !bigPackage(path) && !inCycle.has(path);
  // Each kernel import must point away from its file: an entry point that a kernel reaches (one
  // a start path also imports statically) would close a cycle, and a cycle lets esbuild order a
  // module before what it imports. Such an entry point, or one the plugin cannot add an import to,
  // becomes a root of its own: modules it reaches then differ from those it does not, so it
  // reaches whole groups without any import. Should one still close a cycle (a small group that
  // joined a kernel), it gets no import: its kernels split into more chunks, nothing worse.
  let roots = graph.startPaths;
  for (;;) {
    const plan = planKernels(graph, roots, member, bytes);
    const apart = [...plan.imports]
      .filter(([entry, ids]) => !canImport(entry) || ids.some((id) => plan.reach(plan.kernels[id]).has(entry)))
      .map(([entry]) => entry);
    const fresh = apart.filter((entry) => !roots.includes(entry));
    if (fresh.length > 0) {
      roots = [...roots, ...fresh];
      continue;
    }
    for (const entry of apart) plan.imports.delete(entry);
    return { kernels: plan.kernels, imports: plan.imports };
  }
}

function importGraph(metafile, entries, actionEntries) {
  const inputs = metafile.inputs;
  const edges = (path, dynamic) =>
    (inputs[path]?.imports ?? [])
      .filter((i) => !i.external && (i.kind === 'dynamic-import') === dynamic)
      .map((i) => i.path);
  const dynamicTargets = new Set(Object.keys(inputs).flatMap((path) => edges(path, true)));
  return {
    paths: Object.keys(inputs),
    next: (path) => edges(path, false),
    entryPoints: [...entries, ...[...dynamicTargets].sort()],
    startPaths: actionEntries.flatMap((entry) => edges(entry, true)),
  };
}

function bytesByInput(metafile) {
  const bytes = new Map();
  for (const output of Object.values(metafile.outputs))
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs))
      bytes.set(path, (bytes.get(path) ?? 0) + bytesInOutput);
  return bytes;
}

/** The modules of packages that make more than OWN_CHUNK_BYTES of the start paths. */
function bigPackages(graph, bytes) {
  const onStart = reach(graph.startPaths, graph.next);
  const packageBytes = new Map();
  for (const path of onStart) {
    const name = packageOf(path);
    if (name) packageBytes.set(name, (packageBytes.get(name) ?? 0) + (bytes.get(path) ?? 0));
  }
  return (path) => (packageBytes.get(packageOf(path)) ?? 0) > OWN_CHUNK_BYTES;
}

/** Modules in an import cycle (Tarjan): which of them runs first depends on who imports the cycle first. */
function cyclic(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = new Set();
  const visit = (path) => {
    index.set(path, index.size);
    low.set(path, index.get(path));
    stack.push(path);
    onStack.add(path);
    for (const next of graph.next(path)) {
      if (!index.has(next)) visit(next);
      if (onStack.has(next)) low.set(path, Math.min(low.get(path), low.get(next)));
    }
    if (low.get(path) !== index.get(path)) return;
    const component = stack.splice(stack.lastIndexOf(path));
    for (const member of component) onStack.delete(member);
    if (component.length > 1 || graph.next(path).includes(path)) for (const member of component) found.add(member);
  };
  for (const path of graph.paths) if (!index.has(path)) visit(path);
  return found;
}

/** Kernels from the groups of modules the same roots reach; for each entry point, the kernels it reaches. */
function planKernels(graph, roots, member, bytes) {
  const groups = new Map(); // signature (which roots reach it) → members, in the first build's order
  const signatures = new Map();
  for (const [index, root] of roots.entries())
    for (const path of reach([root], graph.next)) signatures.set(path, [...(signatures.get(path) ?? []), index]);
  for (const [path, signature] of signatures) {
    if (!member(path)) continue;
    const key = signature.join(',');
    if (!groups.has(key)) groups.set(key, { signature, members: [] });
    groups.get(key).members.push(path);
  }
  const kernels = joinSmallGroups([...groups.values()], bytes)
    .map((group) => group.members)
    .filter((members) => members.length > 1);
  const kernelOf = new Map(kernels.flatMap((members, id) => members.map((path) => [path, id])));
  // Reaching one module of a kernel reaches all of it (through the added import), and what those
  // modules import in turn: follow both until nothing new is reached.
  const withKernels = (path) => [...graph.next(path), ...(kernelOf.has(path) ? kernels[kernelOf.get(path)] : [])];
  const imports = new Map();
  for (const entry of graph.entryPoints) {
    const reached = [...reach([entry], withKernels)].filter((path) => kernelOf.has(path));
    const ids = [...new Set(reached.map((path) => kernelOf.get(path)))].sort((a, b) => a - b);
    if (ids.length > 0) imports.set(entry, ids);
  }
  return { kernels, imports, reach: (paths) => reach(paths, withKernels) };
}

/**
 * A group under JOIN_BYTES (a module or two only some actions share) joins the group of the
 * fewest roots that include all of its roots: those few KB on a start path that does not use them
 * cost less than one more file on every path that does.
 */
function joinSmallGroups(groups, bytes) {
  const size = (group) => group.members.reduce((sum, path) => sum + (bytes.get(path) ?? 0), 0);
  const hosts = groups.filter((group) => size(group) >= JOIN_BYTES);
  const kept = [...hosts];
  for (const group of groups) {
    if (hosts.includes(group)) continue;
    const host = hosts
      .filter((candidate) => group.signature.every((root) => candidate.signature.includes(root)))
      .sort((a, b) => a.signature.length - b.signature.length)[0];
    if (host) host.members.push(...group.members);
    else kept.push(group);
  }
  return kept;
}

function reach(roots, next) {
  const seen = new Set();
  const stack = [...roots];
  while (stack.length > 0) {
    const path = stack.pop();
    if (seen.has(path)) continue;
    seen.add(path);
    stack.push(...next(path));
  }
  return seen;
}

const LOADERS = { '.ts': 'ts', '.mts': 'ts', '.js': 'js', '.mjs': 'js' };
const canImport = (path) => !isVirtual(path) && Boolean(LOADERS[extname(path)]);
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The esbuild plugin for the second build: the kernel modules and the imports of them. */
export function startKernels({ kernels, imports }) {
  return {
    name: 'start-kernels',
    setup(builder) {
      builder.onResolve({ filter: new RegExp(`^${KERNEL}:`) }, (args) => ({ path: args.path, namespace: KERNEL }));
      builder.onLoad({ filter: /.*/, namespace: KERNEL }, (args) => ({
        contents: kernels[Number(args.path.slice(KERNEL.length + 1))]
          // A namespace import, not a bare one: esbuild drops a bare import of a package marked
          // side-effect free, and the module would not be reached through the kernel.
          // Relative to the checkout: no absolute path of this machine in anything esbuild reads.
          .map((path, index) => `import * as m${index} from ${JSON.stringify(`./${path}`)};`)
          .join('\n'),
        loader: 'js',
        resolveDir: process.cwd(),
      }));
      if (imports.size === 0) return;
      const byPath = new Map([...imports].map(([path, ids]) => [resolve(path), ids]));
      const filter = new RegExp(`^(?:${[...byPath.keys()].map(escape).join('|')})$`);
      builder.onLoad({ filter }, (args) => ({
        // At the end: the file's own imports keep their order; the kernel brings the rest after them.
        contents: `${readFileSync(args.path, 'utf8')}\n${byPath
          .get(args.path)
          .map((id) => `import ${JSON.stringify(`${KERNEL}:${id}`)};`)
          .join('\n')}\n`,
        loader: LOADERS[extname(args.path)],
        resolveDir: dirname(args.path),
      }));
    },
  };
}

/**
 * The compile cache's switch (src/shared/compile-cache.ts: a few lines, no state) is copied into
 * each entry file, instead of being a 432-byte chunk of its own fetched before anything else.
 */
export function compileCacheInEntries(entryFiles) {
  const file = resolve('src/shared/compile-cache.ts');
  const entries = new Set(entryFiles.map((path) => resolve(path)));
  return {
    name: 'compile-cache-in-entries',
    setup(builder) {
      builder.onResolve({ filter: /\/compile-cache\.js$/ }, (args) =>
        entries.has(args.importer) && resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')) === file
          ? { path: `${relative('.', args.importer)}|compile-cache`, namespace: 'entry-copy' }
          : undefined,
      );
      builder.onLoad({ filter: /.*/, namespace: 'entry-copy' }, () => ({
        contents: readFileSync(file, 'utf8'),
        loader: 'ts',
        resolveDir: dirname(file),
      }));
    },
  };
}
