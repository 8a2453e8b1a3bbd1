// Builds every bundle that ships: one ncc entry per action step plus the CLI.
// Output is deterministic, so CI can rebuild and compare with the committed dist/.
import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { writeStamp } from './dist-stamp.mjs';

const entries = readdirSync('src/entries')
  .filter((file) => file.endsWith('.ts'))
  .map((file) => basename(file, '.ts'))
  .filter((name) => process.argv.length <= 2 || process.argv.slice(2).includes(name));

function build(name) {
  return new Promise((resolve, reject) => {
    rmSync(`dist/${name}`, { recursive: true, force: true });
    const child = spawn(
      process.execPath,
      ['node_modules/@vercel/ncc/dist/ncc/cli.js', 'build', `src/entries/${name}.ts`, '-o', `dist/${name}`, '-m', '-q', '--target', 'es2022', '--license', 'licenses.txt'],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ncc failed for ${name} (exit ${code})`))));
  });
}

// Two at a time: the machines this runs on have two cores.
const queue = [...entries];
const started = Date.now();
await Promise.all(
  [0, 1].map(async () => {
    for (let name = queue.shift(); name; name = queue.shift()) {
      await build(name);
      console.log(`built dist/${name}`);
    }
  }),
);
// The stamp says which source the bundles are: only a full build may write it.
if (process.argv.length <= 2) writeStamp();
console.log(`${entries.length} bundles in ${((Date.now() - started) / 1000).toFixed(1)} s`);
