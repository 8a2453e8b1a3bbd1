// Prints the CHANGELOG.md section of one version: the release workflow's notes.
//
//   node --import tsx scripts/release-notes.ts 1.2.3      (or v1.2.3)
//
// A section starts at a level-2 heading naming the version (`## [1.2.3] - 2026-12-02` or
// `## 1.2.3`) and ends at the next level-2 heading. A missing or empty section is an error:
// a release without notes is a release nobody can review.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function releaseNotes(changelog: string, tag: string): string {
  const version = tag.replace(/^v/, '');
  if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version))
    throw new Error(`'${tag}' is not a version (want v1.2.3 or 1.2.3)`);
  const lines = changelog.split(/\r?\n/);
  const escaped = version.replace(/[.+-]/g, '\\$&');
  const start = lines.findIndex((line) => new RegExp(`^## \\[?v?${escaped}\\]?(\\s|$)`).test(line));
  if (start < 0)
    throw new Error(`CHANGELOG.md has no section for ${version} (add a heading '## [${version}] - YYYY-MM-DD')`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^## /.test(line));
  const notes = (end < 0 ? rest : rest.slice(0, end)).join('\n').trim();
  if (!notes) throw new Error(`CHANGELOG.md's section for ${version} is empty`);
  return `${notes}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [tag, file = 'CHANGELOG.md'] = process.argv.slice(2);
  try {
    if (!tag) throw new Error('usage: release-notes.ts <version> [CHANGELOG.md]');
    process.stdout.write(releaseNotes(readFileSync(file, 'utf8'), tag));
  } catch (error) {
    process.stderr.write(`release-notes: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
