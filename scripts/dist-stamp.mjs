// dist/ carries a hash of what it was built from (src/, package-lock.json, the build script), so
// `npm test` can tell at once that the bundles are older than the source instead of testing old
// code. Content, not mtimes: a fresh clone has new mtimes everywhere.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const STAMP_FILE = 'dist/source-hash.txt';

function filesUnder(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

export function sourceHash() {
  const hash = createHash('sha256');
  // The build script and its helpers (scripts/build-*.mjs) make the bundles as much as src/ does.
  const buildScripts = readdirSync('scripts')
    .filter((name) => /^build(-[\w-]+)?\.mjs$/.test(name))
    .sort()
    .map((name) => join('scripts', name));
  for (const file of [...filesUnder('src'), 'package-lock.json', ...buildScripts]) {
    // Line endings normalised: a Windows checkout with autocrlf builds the same bundles.
    hash.update(`${file.split('\\').join('/')}\0${readFileSync(file, 'utf8').replace(/\r\n/g, '\n')}\0`);
  }
  return hash.digest('hex');
}

export function writeStamp() {
  writeFileSync(STAMP_FILE, `${sourceHash()}\n`);
}

/** Exits with one line naming the fix when dist/ was not built from the current source. */
export function checkDistFresh() {
  if (!existsSync(STAMP_FILE)) {
    console.error(`dist/ has no build stamp (${STAMP_FILE}): run \`npm run build\`, then npm test again.`);
    process.exit(1);
  }
  if (readFileSync(STAMP_FILE, 'utf8').trim() !== sourceHash()) {
    console.error(
      'dist/ is stale: src/ or package-lock.json changed since the last build. Run `npm run build`, then npm test again.',
    );
    process.exit(1);
  }
}
