// '@actions/github/context' is tsconfig's path to @actions/github's lib/context.js: the Context class
// alone, without the package entry, which loads Octokit and undici. The bundles do not load it:
// src/io/github-context.ts reads the same variables; test/io/github-context.test.ts holds it to Context.
declare module '@actions/github/context' {
  import type { context } from '@actions/github';
  export type Context = typeof context;
  export const Context: new () => Context;
}
