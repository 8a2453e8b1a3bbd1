/**
 * Drives the real, unmodified @actions/artifact and @actions/cache against the
 * loopback results-service fake, in-process. The libraries read their env at
 * call time (and a few values at import), so process.env is set from
 * service.env() before they are imported.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startResultsService, type ResultsService } from './results-service.js';

type ArtifactLib = typeof import('@actions/artifact');
type CacheLib = typeof import('@actions/cache');

let service: ResultsService;
let artifactLib: ArtifactLib;
let cacheLib: CacheLib;
let scratch: string;
const savedEnv = { ...process.env };

before(async () => {
  service = await startResultsService();
  scratch = await mkdtemp(join(tmpdir(), 'results-fake-test-'));
  Object.assign(process.env, service.env(), { GITHUB_WORKSPACE: join(scratch, 'workspace') });
  await mkdir(join(scratch, 'workspace'), { recursive: true });
  artifactLib = await import('@actions/artifact');
  cacheLib = await import('@actions/cache');
});

after(async () => {
  await service.close();
  await rm(scratch, { recursive: true, force: true });
  for (const key of Object.keys(process.env)) {
    if (!(key in savedEnv)) delete process.env[key];
  }
  Object.assign(process.env, savedEnv);
});

async function writeTree(root: string, files: Record<string, Buffer | string>): Promise<string[]> {
  const paths: string[] = [];
  for (const [rel, content] of Object.entries(files)) {
    const full = join(root, rel);
    await mkdir(join(full, '..'), { recursive: true });
    await writeFile(full, content);
    paths.push(full);
  }
  return paths;
}

async function readTree(root: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out.set(relative(root, full).split('\\').join('/'), await readFile(full));
  }
  return out;
}

function toMap(files: Record<string, Buffer | string>): Map<string, Buffer> {
  return new Map(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)]));
}

// Incompressible bytes, large enough that the zip holds real deflate output.
const binary = createHash('sha512').update('seed').digest();
const bigBinary = Buffer.concat(
  Array.from({ length: 4096 }, (_, i) => createHash('sha256').update(String(i)).digest()),
);

const ARTIFACT_FILES: Record<string, Buffer | string> = {
  'report.json': JSON.stringify({ ok: true, items: [1, 2, 3] }),
  'logs/run.log': 'line one\nline two\n'.repeat(500),
  'logs/nested/deep/bin.dat': binary,
  'big.bin': bigBinary,
  'empty.txt': '',
  'ünïcode name.txt': 'héllo wörld',
};

test('artifact: upload, fake holds exact bytes, list, get, download, delete', async () => {
  const root = join(scratch, 'artifact-src');
  const paths = await writeTree(root, ARTIFACT_FILES);
  const client = new artifactLib.DefaultArtifactClient();

  const uploaded = await client.uploadArtifact('my-artifact', paths, root, { retentionDays: 3 });
  assert.ok(uploaded.id && uploaded.id > 0);

  const [stored, ...rest] = service.artifacts();
  assert.equal(rest.length, 0);
  assert.ok(stored);
  assert.equal(stored.name, 'my-artifact');
  assert.equal(stored.id, uploaded.id);
  assert.equal(stored.size, stored.zip.length);
  assert.equal(uploaded.size, stored.zip.length);
  assert.equal(stored.hash, `sha256:${createHash('sha256').update(stored.zip).digest('hex')}`);
  assert.equal(`sha256:${uploaded.digest}`, stored.hash);
  assert.equal(stored.retentionDays, 3);
  assert.ok(!Number.isNaN(Date.parse(stored.createdAt)));
  assert.deepEqual(await service.artifactFiles('my-artifact'), toMap(ARTIFACT_FILES));

  // Upload went through the Azure block path, then FinalizeArtifact.
  const comps = service.blobRequests.filter((r) => r.method === 'PUT').map((r) => r.comp);
  assert.ok(comps.includes('block') && comps.at(-1) === 'blocklist', comps.join(','));
  const create = service.requests.find((r) => r.method === 'CreateArtifact');
  assert.equal(create?.service, 'ArtifactService');
  assert.deepEqual(
    { ...(create?.body as Record<string, unknown>), expires_at: undefined },
    {
      workflow_run_backend_id: service.workflowRunId,
      workflow_job_run_backend_id: service.workflowJobRunId,
      name: 'my-artifact',
      mime_type: 'application/zip',
      version: 7,
      expires_at: undefined,
    },
  );

  const listed = await client.listArtifacts();
  assert.equal(listed.artifacts.length, 1);
  assert.equal(listed.artifacts[0]?.id, uploaded.id);
  assert.equal(listed.artifacts[0]?.size, stored.size);
  assert.equal(listed.artifacts[0]?.digest, stored.hash);
  assert.ok(listed.artifacts[0]?.createdAt instanceof Date);

  const got = await client.getArtifact('my-artifact');
  assert.equal(got.artifact.id, uploaded.id);

  const dest = join(scratch, 'artifact-dest');
  const downloaded = await client.downloadArtifact(uploaded.id, { path: dest, expectedHash: stored.hash });
  assert.equal(downloaded.digestMismatch, false);
  assert.deepEqual(await readTree(dest), toMap(ARTIFACT_FILES));

  // Artifacts are immutable within a run.
  await assert.rejects(client.uploadArtifact('my-artifact', paths, root), /409|already exists/);

  const deleted = await client.deleteArtifact('my-artifact');
  assert.equal(deleted.id, uploaded.id);
  assert.equal((await client.listArtifacts()).artifacts.length, 0);
  assert.equal(service.artifacts().length, 0);
});

test('artifact: skipArchive uploads the raw file and downloads it by name', async () => {
  const root = join(scratch, 'raw-src');
  const [file] = await writeTree(root, { 'notes.txt': 'raw content\n' });
  assert.ok(file);
  const client = new artifactLib.DefaultArtifactClient();
  const uploaded = await client.uploadArtifact('ignored', [file], root, { skipArchive: true });
  const stored = service.artifacts().find((a) => a.id === uploaded.id);
  assert.equal(stored?.name, 'notes.txt');
  assert.equal(stored?.zip.toString(), 'raw content\n');

  const dest = join(scratch, 'raw-dest');
  await client.downloadArtifact(uploaded.id ?? 0, { path: dest });
  assert.equal(await readFile(join(dest, 'notes.txt'), 'utf8'), 'raw content\n');
  await client.deleteArtifact('notes.txt');
});

test('artifact: scripted Twirp failures surface as errors', async () => {
  const root = join(scratch, 'fail-src');
  const paths = await writeTree(root, { 'a.txt': 'a' });
  const client = new artifactLib.DefaultArtifactClient();

  service.failNext('CreateArtifact', { status: 403, body: { code: 'permission_denied', msg: 'nope' } });
  await assert.rejects(client.uploadArtifact('denied', paths, root), /Failed to CreateArtifact.*403.*nope/);

  service.failNext('CreateArtifact', { status: 200, body: { ok: false } });
  await assert.rejects(
    client.uploadArtifact('not-ok', paths, root),
    /CreateArtifact: response from backend was not ok/,
  );

  service.failNext('FinalizeArtifact', { status: 400 });
  await assert.rejects(client.uploadArtifact('finalize-fails', paths, root), /Failed to FinalizeArtifact.*400/);

  await assert.rejects(client.getArtifact('never-uploaded'), /Artifact not found/);
  assert.equal(service.artifacts().length, 0);
  const methods = service.requests.slice(-4).map((r) => r.method);
  assert.deepEqual(methods, ['CreateArtifact', 'CreateArtifact', 'FinalizeArtifact', 'ListArtifacts']);
});

test('cache: save, exact and prefix restore, version mismatch, immutability', async () => {
  const workspace = join(scratch, 'workspace');
  const cacheDir = join(workspace, 'deps');
  const files = { 'a.txt': 'alpha', 'sub/b.bin': binary };
  await writeTree(cacheDir, files);

  const id = await cacheLib.saveCache([cacheDir], 'deps-linux-abc');
  assert.ok(id > 0, `saveCache returned ${id}`);
  const [entry, ...others] = service.cacheEntries();
  assert.equal(others.length, 0);
  assert.equal(entry?.key, 'deps-linux-abc');
  assert.equal(entry?.size, entry?.data.length);
  assert.ok((entry?.size ?? 0) > 0);
  assert.ok(service.blobRequests.some((r) => r.method === 'PUT' && r.comp === undefined));

  // Exact key.
  await rm(cacheDir, { recursive: true });
  assert.equal(await cacheLib.restoreCache([cacheDir], 'deps-linux-abc'), 'deps-linux-abc');
  assert.deepEqual(await readTree(cacheDir), toMap(files));

  // Miss on the primary key, hit on a restore-key prefix.
  await rm(cacheDir, { recursive: true });
  assert.equal(
    await cacheLib.restoreCache([cacheDir], 'deps-linux-xyz', ['nothing-', 'deps-linux-']),
    'deps-linux-abc',
  );
  assert.deepEqual(await readTree(cacheDir), toMap(files));
  const lookup = service.requests.filter((r) => r.method === 'GetCacheEntryDownloadURL').at(-1);
  assert.deepEqual((lookup?.body as Record<string, unknown>)['restore_keys'], ['nothing-', 'deps-linux-']);

  // Same key, different paths → different version → miss.
  assert.equal(await cacheLib.restoreCache([cacheDir, join(workspace, 'other')], 'deps-linux-abc'), undefined);
  // Unknown key → miss.
  assert.equal(await cacheLib.restoreCache([cacheDir], 'unknown-key', ['unknown-']), undefined);

  // Entries are immutable: a second save of the same key is refused (-1, no throw).
  assert.equal(await cacheLib.saveCache([cacheDir], 'deps-linux-abc'), -1);
  assert.equal(service.cacheEntries().length, 1);

  // A scripted denial is a warning and a miss, never a throw.
  service.failNext('GetCacheEntryDownloadURL', {
    status: 403,
    body: { code: 'permission_denied', msg: 'cache read denied: test' },
  });
  assert.equal(await cacheLib.restoreCache([cacheDir], 'deps-linux-abc'), undefined);
  assert.equal(await cacheLib.restoreCache([cacheDir], 'deps-linux-abc'), 'deps-linux-abc');
});

test('twirp: wrong token is rejected as unauthenticated', async () => {
  const res = await fetch(
    new URL('twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL', service.url),
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer wrong' },
      body: JSON.stringify({ key: 'k', version: 'v' }),
    },
  );
  assert.equal(res.status, 401);
  assert.deepEqual(await res.json(), { code: 'unauthenticated', msg: 'missing or wrong runtime token' });
});
