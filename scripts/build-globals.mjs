// CommonJS's `require`, `__filename` and `__dirname` for the ES-module chunks that use them, and
// only for those: the banner costs three built-in imports at every chunk's load, and most chunks
// (the ones with no bundled CommonJS package in them) never read any of the three.
import { transform } from 'esbuild';

const GLOBALS = ['require', '__filename', '__dirname'];

/** What each global costs where used: one built-in import and one line, none of them shared. */
const DECLARATIONS = {
  require: "import{createRequire as __asReq}from'node:module';const require=__asReq(import.meta.url);",
  __filename: "import{fileURLToPath as __asPath}from'node:url';const __filename=__asPath(import.meta.url);",
  __dirname:
    "import{fileURLToPath as __asDirPath}from'node:url';import{dirname as __asDir}from'node:path';const __dirname=__asDir(__asDirPath(import.meta.url));",
};

// A cheap first look: the name standing alone, not after a property dot (`x.require`), though a
// spread (`...require`) counts. It also matches strings and object keys, which the second look drops.
const CANDIDATE = new RegExp(`(?<![\\w$])(?<![^.]\\.)(${GLOBALS.join('|')})(?![\\w$])`, 'g');
const MARK = '__asFreeGlobal_';

/**
 * The globals the code reads as free variables, in GLOBALS order. esbuild's `define` replaces only
 * free references (not strings, not property names, not a local of the same name), so what it
 * replaced is what the banner has to provide.
 */
export async function freeCommonJsGlobals(code) {
  const candidates = new Set(code.match(CANDIDATE) ?? []);
  if (candidates.size === 0) return [];
  // Code that already holds the mark cannot be told apart: keep every candidate (a few bytes more).
  if (code.includes(MARK)) return GLOBALS.filter((name) => candidates.has(name));
  const define = Object.fromEntries([...candidates].map((name) => [name, `${MARK}${name}`]));
  const { code: marked } = await transform(code, { define, format: 'esm', logLevel: 'silent' });
  return GLOBALS.filter((name) => marked.includes(`${MARK}${name}`));
}

/** The code with the declarations it needs in front (after a `#!` line, which must stay first). */
export async function withCommonJsGlobals(code) {
  const used = await freeCommonJsGlobals(code);
  if (used.length === 0) return code;
  const banner = used.map((name) => DECLARATIONS[name]).join('');
  const hashbang = /^#![^\n]*\n/.exec(code)?.[0] ?? '';
  return `${hashbang}${banner}\n${code.slice(hashbang.length)}`;
}
