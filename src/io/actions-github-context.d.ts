// '@actions/github/context' is tsconfig's path to @actions/github's lib/context.js: the Context class
// alone, without the package entry, which loads Octokit and undici (see src/io/github-context.ts).
declare module '@actions/github/context' {
  import type { context } from '@actions/github';
  export type Context = typeof context;
  export const Context: new () => Context;
}
