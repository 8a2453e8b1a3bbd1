// Builds every bundle that ships with esbuild: ONE build of all entries with code splitting, so each
// piece of code exists once in dist/ (dist/<entry>/index.js is a small entry, shared code lives in
// dist/chunks/), and what a path does not use stays behind a dynamic import() until it is used.
// Why esbuild and not ncc: docs/development.md (bundler choice). Output is deterministic (content
// hashes, sorted licence file), so CI can rebuild and compare with the committed dist/.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { builtinModules } from 'node:module';
import { build } from 'esbuild';
import { writeStamp } from './dist-stamp.mjs';
import { withCommonJsGlobals } from './build-globals.mjs';
import { compileCacheInEntries, startGroups, startKernels } from './build-kernels.mjs';

const entries = readdirSync('src/entries')
  .filter((file) => file.endsWith('.ts'))
  .map((file) => basename(file, '.ts'))
  .sort();

/**
 * @actions/core loads its OIDC client (→ @actions/http-client → undici) and its platform module
 * (→ @actions/exec) at module load, although no autostack path asks for an ID token or platform
 * details. These two shims keep core's API and load the real modules on first use only.
 */
const lazyCoreParts = {
  name: 'lazy-actions-core-parts',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/(oidc-utils|platform)\.js$/ }, (args) => {
      if (!args.importer.endsWith(`@actions${sep}core${sep}lib${sep}core.js`)) return undefined;
      return { path: basename(args.path, '.js'), namespace: 'lazy-core', pluginData: { resolveDir: args.resolveDir } };
    });
    builder.onLoad({ filter: /.*/, namespace: 'lazy-core' }, (args) => {
      const contents =
        args.path === 'oidc-utils'
          ? "export class OidcClient { static getIDToken(audience) { return import('./oidc-utils.js').then((m) => m.OidcClient.getIDToken(audience)); } }"
          : [
              "import os from 'node:os';",
              'export const platform = os.platform(); export const arch = os.arch();',
              "export const isWindows = platform === 'win32'; export const isMacOS = platform === 'darwin'; export const isLinux = platform === 'linux';",
              "export function getDetails() { return import('./platform.js').then((m) => m.getDetails()); }",
            ].join('\n');
      return { contents, loader: 'js', resolveDir: args.pluginData.resolveDir };
    });
  },
};

/**
 * zod's namespace re-exports all of its ~40 error-message locales (about 260 KB minified, evaluated
 * on every start); autostack only uses the English messages zod installs by default. Keep `locales`
 * with just `en`, so `z.locales.en()` still works.
 */
const englishOnlyZod = {
  name: 'zod-english-only',
  setup(builder) {
    builder.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/]/.test(args.importer)
        ? { path: 'locales', namespace: 'zod-en', pluginData: { resolveDir: args.resolveDir } }
        : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'zod-en' }, (args) => ({
      contents: "export { default as en } from '../locales/en.js';",
      loader: 'js',
      resolveDir: args.pluginData.resolveDir,
    }));
  },
};

/**
 * Node's built-in modules through require(), not import: an ES-module import of a built-in builds
 * a namespace of all its exports at load, which reads every lazy getter (`fs` loads fs/promises
 * and its streams: about 9 ms of the start on Node 24, for `fs` alone), while esbuild's CommonJS
 * interop reads a property only where the code uses it, through esbuild's `__require`, whose chunk
 * gets `require` from build-globals.mjs.
 */
const builtins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(builder) {
    builder.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (!builtins.has(args.path)) return undefined;
      if (args.namespace === 'builtin') return { path: args.path, external: true };
      // A dynamic import() of a built-in stays Node's own: it costs nothing until it runs, and a
      // wrapper per importer would be a chunk of its own, the same bytes once per importing file.
      if (args.kind === 'dynamic-import') return { path: `node:${args.path.replace(/^node:/, '')}`, external: true };
      // One tiny wrapper per importing file, so the wrapper lands in its importer's chunk instead
      // of a shared chunk of its own (one more module for the loader to fetch and link).
      // The name goes last: a path ending in .mjs would make esbuild treat the wrapper as an ES module.
      const form = args.kind === 'import-statement' ? 'esm' : 'cjs';
      return {
        path: `${relative('.', args.importer)}|${form}|${args.path.replace(/^node:/, '')}`,
        namespace: 'builtin',
      };
    });
    builder.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
      const [form, name] = args.path.split('|').slice(-2);
      const load = `require(${JSON.stringify(`node:${name}`)})`;
      // An ES-module import of a CommonJS module goes through esbuild's __toESM, which copies every
      // own property of the module into a new object, once per importing file (~100 getters for
      // fs: about a third of what an action allocates at start, and a young-generation GC).
      // Handing it an object whose *prototype* is the module leaves nothing to copy, and every
      // property still reads the module's own (lazy getters included). A module that is a function
      // (events, assert, stream) stays as it is, so it can still be called and constructed. A
      // require() from a bundled CommonJS package gets the module itself (it may list its keys).
      const contents =
        form === 'esm'
          ? `const m = ${load}; module.exports = typeof m === 'function' ? m : Object.create(m);`
          : `module.exports = ${load};`;
      return { contents, loader: 'js' };
    });
  },
};

/**
 * @actions/core's summary module reads `fs.promises` at load, which makes Node load fs/promises
 * (and readline, which it uses) on every start; the shim reads it on the first summary write.
 */
const lazyCoreSummaryFs = {
  name: 'lazy-actions-core-summary-fs',
  setup(builder) {
    // The same for node:crypto, whose first load costs about 20 ms: core's file commands only
    // need randomUUID() for a delimiter, which src/shared/light-random.ts makes without it.
    builder.onResolve({ filter: /^crypto$/ }, (args) =>
      args.importer.endsWith(`@actions${sep}core${sep}lib${sep}file-command.js`)
        ? { path: join(process.cwd(), 'src', 'shared', 'light-random.ts') }
        : undefined,
    );
    builder.onResolve({ filter: /^fs$/ }, (args) =>
      args.importer.endsWith(`@actions${sep}core${sep}lib${sep}summary.js`)
        ? { path: 'summary-fs', namespace: 'lazy-core-fs' }
        : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'lazy-core-fs' }, () => ({
      contents: [
        "import fs from 'node:fs';",
        'export const constants = fs.constants;',
        'export const promises = Object.fromEntries(',
        "  ['access', 'appendFile', 'writeFile'].map((name) => [name, (...args) => fs.promises[name](...args)]),",
        ');',
      ].join('\n'),
      loader: 'js',
      resolveDir: '.',
    }));
  },
};

const started = Date.now();
const entryFiles = entries.map((name) => `src/entries/${name}.ts`);
// The start paths that get their kernels: the actions' (the CLI's own paths would split them,
// build-kernels.mjs; the CLI still imports the kernels its lazy paths reach).
const actionEntries = entryFiles.filter((file) => file !== 'src/entries/cli.ts');
const options = {
  entryPoints: Object.fromEntries(entries.map((name, index) => [`${name}/index`, entryFiles[index]])),
  outdir: 'dist',
  chunkNames: 'chunks/[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Packages that ship both builds: take the ES module one (tree-shakes, no interop wrapper).
  mainFields: ['module', 'main'],
  minify: true,
  legalComments: 'none', // collected into dist/licenses.txt below
  metafile: true,
  logLevel: 'warning',
  write: false, // written below, with CommonJS's globals where a chunk uses them
};
const plugins = [
  compileCacheInEntries(entryFiles),
  lazyCoreSummaryFs,
  builtinsByRequire,
  lazyCoreParts,
  englishOnlyZod,
];
// Two builds: the first only to read the import graph, from which the second puts each action's
// start path into a few chunks (build-kernels.mjs).
const graph = await build({ ...options, plugins });
const result = await build({
  ...options,
  plugins: [startKernels(startGroups(graph.metafile, { entries: entryFiles, actionEntries })), ...plugins],
});
rmSync('dist', { recursive: true, force: true });
await writeOutputs(result.outputFiles, {
  actionBundles: new Set(actionEntries.map(outputOf)),
  runtime: runtimeChunks(result.metafile),
});
refuseIdenticalOutputs(Object.keys(result.metafile.outputs));
// The bundles are ES modules wherever dist/ is copied to, not only under this package.json.
writeFileSync('dist/package.json', '{ "type": "module" }\n');
writeFileSync('dist/licenses.txt', licences(result.metafile));
// The stamp says which source the bundles are, so npm test can refuse a stale dist/ at once.
writeStamp();
// `BUILD_METAFILE=/tmp/meta.json npm run build` keeps esbuild's input/output map, for size analysis.
if (process.env.BUILD_METAFILE) writeFileSync(process.env.BUILD_METAFILE, JSON.stringify(result.metafile));
console.log(
  `${entries.length} entries, ${Object.keys(result.metafile.outputs).length} files in dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);

/** The chunks that hold only esbuild's runtime helpers, no module of ours. */
function runtimeChunks(metafile) {
  return new Set(
    Object.entries(metafile.outputs)
      .filter(([path, output]) => path.endsWith('.js') && Object.keys(output.inputs).length === 0)
      .map(([path]) => basename(path)),
  );
}

/**
 * An action entry uses none of esbuild's helpers, yet esbuild has it import their chunk, which (with
 * its createRequire banner) then loaded and compiled before the compile cache was on, from source
 * on every start. The start module imports that chunk itself where it needs it, so the entry's bare
 * `import"../chunks/<runtime>.js";` goes.
 */
function withoutRuntimeImport(text, runtime) {
  return text.replace(/import"\.\.\/chunks\/([\w-]+\.js)";/g, (statement, name) =>
    runtime.has(name) ? '' : statement,
  );
}

/** dist/<name>/index.js for src/entries/<name>.ts. */
function outputOf(entryFile) {
  return `dist/${basename(entryFile, '.ts')}/index.js`;
}

/**
 * Chunks are ES modules that may contain bundled CommonJS packages: the ones that read `require`,
 * `__filename` or `__dirname` get them declared in front (build-globals.mjs); names stay esbuild's
 * content hashes, so the output is as deterministic as esbuild's.
 */
async function writeOutputs(files, { actionBundles, runtime }) {
  const texts = await Promise.all(
    files.map(async (file) => {
      if (!file.path.endsWith('.js')) return file.text;
      const path = relative('.', file.path).split(sep).join('/');
      return withCommonJsGlobals(actionBundles.has(path) ? withoutRuntimeImport(file.text, runtime) : file.text);
    }),
  );
  files.forEach((file, index) => {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, texts[index]);
  });
}

/**
 * Splitting keeps each piece of code once; two byte-identical outputs mean two modules made the
 * same code (as one wrapper per importer of a built-in did for dynamic imports): fail the build.
 */
function refuseIdenticalOutputs(paths) {
  const byHash = new Map();
  for (const path of paths) {
    const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
    byHash.set(hash, [...(byHash.get(hash) ?? []), path]);
  }
  const same = [...byHash.values()].filter((group) => group.length > 1);
  if (same.length === 0) return;
  console.error(`build: byte-identical files in dist/: ${same.map((group) => group.join(' = ')).join('; ')}`);
  process.exit(1);
}

/** One licence section per bundled package (name@version, licence id, its LICENSE text), sorted. */
function licences(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (!match || packages.has(match[1])) continue;
    packages.set(match[1], packageLicence(match[1]));
  }
  const sections = [...new Set(packages.values())].filter(Boolean).sort();
  return `${sections.join('\n\n')}\n`;
}

function packageLicence(directory) {
  // A nested package.json (e.g. dist/esm/package.json) has no name: walk to the package's own.
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
  const file = readdirSync(directory)
    .sort()
    .find((name) => /^(licen[cs]e|copying)(\..*)?$/i.test(name));
  const text =
    file && existsSync(join(directory, file))
      ? readFileSync(join(directory, file), 'utf8').trim()
      : '(no licence file in the package)';
  const licence = typeof manifest.license === 'string' ? manifest.license : (manifest.license?.type ?? 'unknown');
  return `${manifest.name}@${manifest.version}\n${licence}\n${text}`;
}
