import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * The forms a sentinel may take on its way to a sink, derived here independently of
 * src/shared/redact.ts so the sweep does not trust the code it checks: the raw value, base64 at
 * the three byte alignments (trimmed to the characters any base64 text containing the value
 * shares), base64url, URL-encoded and JSON-escaped.
 */
export function sentinelForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  const bytes = Buffer.from(secret);
  for (let shift = 0; shift < 3; shift++) {
    const encoded = bytes.subarray(shift).toString('base64');
    const trimmed = encoded.endsWith('==')
      ? encoded.slice(0, -3)
      : encoded.endsWith('=')
        ? encoded.slice(0, -2)
        : encoded;
    forms.add(trimmed);
    forms.add(trimmed.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  forms.add(encodeURIComponent(secret));
  forms.add(JSON.stringify(secret).slice(1, -1));
  return [...forms];
}

/** A value embedded in base64 at a given byte offset: what a reply or a log line could carry. */
export function base64At(secret: string, offset: number): string {
  return Buffer.from(`${'x'.repeat(offset)}${secret}!`).toString('base64');
}

export type Places = Array<[where: string, text: string]>;

/** Every file under a directory, as text: journals, records, responses, cache folders. */
export function filesUnder(root: string, label = root): Places {
  if (!existsSync(root)) return [];
  const places: Places = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else places.push([`${label}/${relative(root, path)}`, readFileSync(path, 'utf8')]);
    }
  };
  walk(root);
  return places;
}

/** An Actions cache entry is a compressed tar: zstd when the runner has it, else gzip. */
export function cacheEntryText(data: Buffer): string {
  if (data[0] === 0x1f && data[1] === 0x8b) return gunzipSync(data).toString('latin1');
  const result = spawnSync('zstd', ['-d', '-c', '--long=30'], { input: data, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, `zstd could not read the cache entry: ${result.stderr?.toString()}`);
  return result.stdout.toString('latin1');
}

/** Fails naming the sink and the form when any sentinel form appears anywhere. */
export function assertNoSentinel(places: Places, sentinels: string[]): void {
  assert.ok(places.length > 0, 'the sweep looked at nothing');
  for (const sentinel of sentinels) {
    const forms = sentinelForms(sentinel);
    for (const [where, text] of places) {
      for (const form of forms) {
        assert.equal(
          text.includes(form),
          false,
          `a form of a sentinel secret (${form === sentinel ? 'raw' : form}) leaked into ${where}`,
        );
      }
    }
  }
}
