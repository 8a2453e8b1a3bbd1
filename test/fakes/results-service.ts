/**
 * Loopback fake of the GitHub Actions *results service* and of the Azure blob
 * storage it hands out signed URLs for.
 *
 * It is written against what the real, unmodified `@actions/artifact` v6 and
 * `@actions/cache` v6 (cache service v2) send and expect:
 *
 * - Twirp JSON: `POST /twirp/github.actions.results.api.v1.<Service>/<Method>`,
 *   snake_case bodies built by protobuf-ts with `useProtoFieldName` and
 *   defaults omitted. int64 fields travel as decimal strings, wrapper types
 *   (`StringValue`, `Int64Value`) as bare values, `Timestamp` as RFC 3339.
 *   Errors are `{code, msg}` with the Twirp code's HTTP status.
 * - Blob side: `@azure/storage-blob` treats an IP host as "path style", so a
 *   signed URL `http://127.0.0.1:PORT/<account>/<container>/<blob>?...&sig=…`
 *   works unchanged. Artifacts arrive as `PUT ?comp=block` chunks plus a
 *   `PUT ?comp=blocklist`; caches (≤ 128 MiB) as one `PUT` with
 *   `x-ms-blob-type: BlockBlob`. Both are downloaded with a plain HTTP GET.
 *
 * Only node:http and node:zlib are used; state lives in memory per instance.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32, inflateRaw } from 'node:zlib';

const inflateRawAsync = promisify(inflateRaw);

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

/** One Twirp call as received (after JSON parsing). */
export interface TwirpCall {
  service: string;
  method: string;
  body: unknown;
}

/** One request to the blob side, for asserting how data was moved. */
export interface BlobCall {
  method: string;
  /** Blob path without the leading slash: `<account>/<container>/<blob>`. */
  blob: string;
  /** The `comp` query parameter (`block`, `blocklist`) or undefined. */
  comp: string | undefined;
  status: number;
}

export interface StoredArtifact {
  id: number;
  name: string;
  /** Size reported by FinalizeArtifact (checked against the stored bytes). */
  size: number;
  /** As sent by the library: `sha256:<hex>` (checked against the bytes). */
  hash: string;
  /** The uploaded bytes: a zip archive, or the raw file with `skipArchive`. */
  zip: Buffer;
  /** Whole days between CreateArtifact and its `expires_at`, when one was sent. */
  retentionDays?: number | undefined;
  /** ISO 8601 time of finalization. */
  createdAt: string;
}

export interface StoredCacheEntry {
  id: number;
  key: string;
  version: string;
  size: number;
  data: Buffer;
}

/**
 * A scripted answer for the next call of one Twirp method. `body` defaults
 * to `{code, msg}` for error statuses and `{}` (i.e. `ok: false`) for 2xx.
 */
export interface ScriptedResponse {
  status: number;
  body?: unknown;
}

export interface ResultsService {
  /** Base URL with a trailing slash, like the runner's ACTIONS_RESULTS_URL. */
  url: string;
  /** Unsigned JWT whose `scp` carries `Actions.Results:<runId>:<jobId>`. */
  runtimeToken: string;
  workflowRunId: string;
  workflowJobRunId: string;
  /** Env vars that make both libraries talk to this fake (see below). */
  env(): Record<string, string>;
  /** Finalized, not deleted artifacts, oldest first. */
  artifacts(): StoredArtifact[];
  /** Unzips the newest finalized artifact called `name`: path → content. */
  artifactFiles(name: string): Promise<Map<string, Buffer>>;
  /** Finalized cache entries, oldest first. */
  cacheEntries(): StoredCacheEntry[];
  /** Every Twirp call, in arrival order (scripted failures included). */
  requests: TwirpCall[];
  /** Every blob-side request, in arrival order. */
  blobRequests: BlobCall[];
  /** Make the next call of `method` (e.g. "CreateArtifact") answer `response`. */
  failNext(method: string, response: ScriptedResponse): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------

const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.';
const ARTIFACT_SERVICE = 'ArtifactService';
const CACHE_SERVICE = 'CacheService';

// Real backend ids are GUIDs; fixed values keep test output stable.
const WORKFLOW_RUN_ID = '6c1c64d5-3b8a-4e0d-9a53-0d5e8f3b1a01';
const WORKFLOW_JOB_RUN_ID = 'a7f0e2c4-91d6-5b3e-8c2a-4f6d9e1b7c02';

const STORAGE_ACCOUNT = 'fakeresults';
const ARTIFACT_CONTAINER = 'actions-results';
const CACHE_CONTAINER = 'actions-cache';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Twirp error code → HTTP status, from the Twirp wire protocol spec. */
const TWIRP_STATUS: Record<string, number> = {
  canceled: 408,
  invalid_argument: 400,
  malformed: 400,
  deadline_exceeded: 408,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  permission_denied: 403,
  unauthenticated: 401,
  resource_exhausted: 429,
  failed_precondition: 412,
  aborted: 409,
  out_of_range: 400,
  unimplemented: 501,
  internal: 500,
  unavailable: 503,
  data_loss: 500,
};

function twirpCodeFor(status: number): string {
  for (const [code, s] of Object.entries(TWIRP_STATUS)) {
    if (s === status) return code;
  }
  return status >= 500 ? 'internal' : 'unknown';
}

/** Thrown by handlers; turned into a Twirp `{code,msg}` response. */
class TwirpError extends Error {
  constructor(
    readonly code: keyof typeof TWIRP_STATUS & string,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

function base64url(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

/**
 * The libraries only `jwtDecode` the token (no signature check), so an
 * unsigned `alg: none` JWT is enough. The scope list mirrors a real runner
 * token; `Actions.Results:<run>:<job>` is the one `@actions/artifact` needs.
 */
function mintRuntimeToken(runId: string, jobId: string): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'none', typ: 'JWT' };
  const payload = {
    scp: [
      `Actions.GenericRead:${runId}`,
      `Actions.UploadArtifacts:${runId}:${jobId}`,
      `Actions.Results:${runId}:${jobId}`,
    ].join(' '),
    iss: 'vstoken.actions.githubusercontent.com',
    aud: 'vso:fake-results-service',
    nbf: now - 60,
    exp: now + 6 * 60 * 60,
  };
  return `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.`;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Query parsing with decodeURIComponent only: URLSearchParams would turn a
 * literal "+" into a space, and Azure block ids are base64 (may hold "+").
 */
function parseQuery(search: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of search.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    out.set(decodeURIComponent(k), decodeURIComponent(v));
  }
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  return typeof v === 'string' ? v : '';
}

/** int64 arrives as a decimal string (protobuf JSON); absent means 0. */
function int64(body: Record<string, unknown>, field: string): number {
  const v = body[field];
  if (v === undefined) return 0;
  const n = typeof v === 'string' ? Number(v) : typeof v === 'number' ? v : NaN;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new TwirpError('invalid_argument', `${field} must be a non-negative int64`);
  }
  return n;
}

function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

// ---------------------------------------------------------------------------
// Zip reading (artifactFiles)
// ---------------------------------------------------------------------------

/**
 * Reads a zip by its central directory. archiver/zip-stream streams file
 * contents, so local headers carry the data-descriptor flag with zero sizes
 * and CRC; only the central directory has the real values. ZIP64 records are
 * honoured so large artifacts would still parse.
 */
export async function readZip(zip: Buffer): Promise<Map<string, Buffer>> {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('zip: end of central directory not found');

  let entries = zip.readUInt16LE(eocd + 10);
  let cdOffset = zip.readUInt32LE(eocd + 16);
  if (entries === 0xffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || zip.readUInt32LE(locator) !== 0x07064b50) {
      throw new Error('zip: ZIP64 locator missing');
    }
    const z64 = Number(zip.readBigUInt64LE(locator + 8));
    if (zip.readUInt32LE(z64) !== 0x06064b50) throw new Error('zip: bad ZIP64 end record');
    entries = Number(zip.readBigUInt64LE(z64 + 32));
    cdOffset = Number(zip.readBigUInt64LE(z64 + 48));
  }

  const files = new Map<string, Buffer>();
  let p = cdOffset;
  for (let n = 0; n < entries; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error(`zip: bad central header at ${p}`);
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    let compressedSize = zip.readUInt32LE(p + 20);
    let size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    let localOffset = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLen).toString('utf8');

    // ZIP64 extra field: only the values that overflowed are present, in order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = zip.readUInt16LE(e);
      const len = zip.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = Number(zip.readBigUInt64LE(q));
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(zip.readBigUInt64LE(q));
          q += 8;
        }
        if (localOffset === 0xffffffff) {
          localOffset = Number(zip.readBigUInt64LE(q));
        }
      }
      e += 4 + len;
    }
    p = extraEnd + commentLen;

    if (name.endsWith('/')) continue; // directory entry, no content

    if (zip.readUInt32LE(localOffset) !== 0x04034b50) {
      throw new Error(`zip: bad local header for ${name}`);
    }
    // The local extra field may differ from the central one; use its own length.
    const dataStart = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    const raw = zip.subarray(dataStart, dataStart + compressedSize);
    let content: Buffer;
    if (method === 0) content = Buffer.from(raw);
    else if (method === 8) content = await inflateRawAsync(raw);
    else throw new Error(`zip: unsupported compression method ${method} for ${name}`);

    if (content.length !== size) throw new Error(`zip: size mismatch for ${name}`);
    if (crc32(content) >>> 0 !== crc) throw new Error(`zip: CRC mismatch for ${name}`);
    files.set(name, content);
  }
  return files;
}

// ---------------------------------------------------------------------------
// The fake
// ---------------------------------------------------------------------------

interface Blob {
  data: Buffer;
  contentType: string;
  etag: string;
  lastModified: Date;
}

interface Signature {
  blob: string;
  /** 'w' for upload URLs, 'r' for download URLs; a URL grants only its own. */
  permission: 'r' | 'w';
  /** Mirrors Azure's `rscd` SAS override (the download names raw files by it). */
  contentDisposition?: string;
}

interface ArtifactRecord {
  id: number;
  runId: string;
  jobId: string;
  name: string;
  blob: string;
  finalized: boolean;
  size: number;
  hash: string;
  retentionDays: number | undefined;
  createdAt: string;
}

interface CacheRecord {
  id: number;
  key: string;
  version: string;
  blob: string;
  finalized: boolean;
  size: number;
  createdSeq: number;
}

export async function startResultsService(): Promise<ResultsService> {
  const runnerTemp = await mkdtemp(join(tmpdir(), 'fake-results-runner-temp-'));
  const runtimeToken = mintRuntimeToken(WORKFLOW_RUN_ID, WORKFLOW_JOB_RUN_ID);

  const requests: TwirpCall[] = [];
  const blobRequests: BlobCall[] = [];
  const scripted = new Map<string, ScriptedResponse[]>();
  const blobs = new Map<string, Blob>();
  // Staged (uncommitted) blocks per blob, keyed by block id.
  const stagedBlocks = new Map<string, Map<string, Buffer>>();
  const signatures = new Map<string, Signature>();
  const artifactRecords: ArtifactRecord[] = [];
  const cacheRecords: CacheRecord[] = [];
  let nextArtifactId = 1001;
  let nextCacheId = 2001;
  let seq = 0;
  let baseUrl = '';

  function signedUrl(blob: string, permission: 'r' | 'w', contentDisposition?: string): string {
    const sig = randomBytes(18).toString('base64url');
    const sigRecord: Signature = { blob, permission };
    if (contentDisposition !== undefined) sigRecord.contentDisposition = contentDisposition;
    signatures.set(sig, sigRecord);
    const expiry = new Date(Date.now() + 6 * 60 * 60 * 1000).toISOString();
    const path = blob.split('/').map(encodeURIComponent).join('/');
    const query = [
      'sv=2024-11-04',
      `se=${encodeURIComponent(expiry)}`,
      `sp=${permission === 'w' ? 'cw' : 'r'}`,
      'sr=b',
      `sig=${encodeURIComponent(sig)}`,
    ].join('&');
    return `${baseUrl}${path}?${query}`;
  }

  // ---- Artifact service ---------------------------------------------------

  function checkIds(body: Record<string, unknown>, requireJob: boolean): void {
    if (str(body, 'workflow_run_backend_id') !== WORKFLOW_RUN_ID) {
      throw new TwirpError('permission_denied', 'workflow_run_backend_id does not match the token');
    }
    if (requireJob && str(body, 'workflow_job_run_backend_id') !== WORKFLOW_JOB_RUN_ID) {
      throw new TwirpError('permission_denied', 'workflow_job_run_backend_id does not match the token');
    }
  }

  function finalizedArtifact(name: string): ArtifactRecord | undefined {
    // Newest wins, like the library's own "more than one found" handling.
    return artifactRecords
      .filter((a) => a.finalized && a.runId === WORKFLOW_RUN_ID && a.name === name)
      .sort((a, b) => b.id - a.id)[0];
  }

  const artifactMethods: Record<string, (body: Record<string, unknown>) => Record<string, unknown>> = {
    CreateArtifact(body) {
      checkIds(body, true);
      const name = str(body, 'name');
      if (!name) throw new TwirpError('invalid_argument', 'name is required');
      if (finalizedArtifact(name)) {
        // Artifacts are immutable: the real service refuses a second upload.
        throw new TwirpError(
          'already_exists',
          `an artifact with this name already exists on the workflow run: ${name}`,
        );
      }
      let retentionDays: number | undefined;
      const expiresAt = str(body, 'expires_at');
      if (expiresAt) {
        const ms = Date.parse(expiresAt);
        if (Number.isNaN(ms)) throw new TwirpError('invalid_argument', 'expires_at is not RFC 3339');
        retentionDays = Math.round((ms - Date.now()) / DAY_MS);
      }
      // The library names the blob after the file it uploads; a ".zip" mime
      // type (or path) is what makes the download side unzip it.
      const mime = str(body, 'mime_type') || 'application/zip';
      const fileName = mime === 'application/zip' && !name.endsWith('.zip') ? `${name}.zip` : name;
      // Re-creating a never-finalized artifact (a retried upload) replaces it.
      const stale = artifactRecords.findIndex((a) => !a.finalized && a.name === name);
      if (stale >= 0) artifactRecords.splice(stale, 1);
      const id = nextArtifactId++;
      const blob = `${STORAGE_ACCOUNT}/${ARTIFACT_CONTAINER}/${WORKFLOW_RUN_ID}/${id}/${fileName}`;
      artifactRecords.push({
        id,
        runId: WORKFLOW_RUN_ID,
        jobId: WORKFLOW_JOB_RUN_ID,
        name,
        blob,
        finalized: false,
        size: 0,
        hash: '',
        retentionDays,
        createdAt: '',
      });
      return { ok: true, signed_upload_url: signedUrl(blob, 'w') };
    },

    FinalizeArtifact(body) {
      checkIds(body, true);
      const name = str(body, 'name');
      const record = artifactRecords.find((a) => !a.finalized && a.name === name);
      if (!record) throw new TwirpError('not_found', `no artifact upload in progress for ${name}`);
      const blob = blobs.get(record.blob);
      if (!blob) throw new TwirpError('failed_precondition', `artifact ${name} has no uploaded content`);
      // Being strict here turns a silent client/fake disagreement into a failure.
      const size = int64(body, 'size');
      if (size !== blob.data.length) {
        throw new TwirpError('invalid_argument', `size ${size} does not match uploaded ${blob.data.length} bytes`);
      }
      const hash = str(body, 'hash');
      if (hash && hash !== `sha256:${sha256Hex(blob.data)}`) {
        throw new TwirpError('invalid_argument', `hash ${hash} does not match the uploaded content`);
      }
      record.finalized = true;
      record.size = size;
      record.hash = hash;
      record.createdAt = new Date().toISOString();
      return { ok: true, artifact_id: String(record.id) };
    },

    ListArtifacts(body) {
      checkIds(body, false);
      const nameFilter = body['name_filter'];
      const idFilter = body['id_filter'];
      const artifacts = artifactRecords
        .filter((a) => a.finalized && a.runId === WORKFLOW_RUN_ID)
        .filter((a) => typeof nameFilter !== 'string' || a.name === nameFilter)
        .filter((a) => idFilter === undefined || String(a.id) === String(idFilter))
        .map((a) => {
          const out: Record<string, unknown> = {
            workflow_run_backend_id: a.runId,
            workflow_job_run_backend_id: a.jobId,
            database_id: String(a.id),
            name: a.name,
            created_at: a.createdAt,
          };
          if (a.size) out['size'] = String(a.size);
          if (a.hash) out['digest'] = a.hash;
          return out;
        });
      return artifacts.length ? { artifacts } : {};
    },

    GetSignedArtifactURL(body) {
      checkIds(body, false);
      const record = finalizedArtifact(str(body, 'name'));
      if (!record) throw new TwirpError('not_found', `artifact ${str(body, 'name')} not found`);
      const fileName = record.blob.slice(record.blob.lastIndexOf('/') + 1);
      const disposition = `attachment; filename="${fileName.replace(/[^\x20-\x7e]|"/g, '_')}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
      return { signed_url: signedUrl(record.blob, 'r', disposition) };
    },

    DeleteArtifact(body) {
      checkIds(body, false);
      const record = finalizedArtifact(str(body, 'name'));
      if (!record) throw new TwirpError('not_found', `artifact ${str(body, 'name')} not found`);
      artifactRecords.splice(artifactRecords.indexOf(record), 1);
      blobs.delete(record.blob);
      return { ok: true, artifact_id: String(record.id) };
    },
  };

  // ---- Cache service (v2) -------------------------------------------------

  function requireKeyVersion(body: Record<string, unknown>): { key: string; version: string } {
    const key = str(body, 'key');
    const version = str(body, 'version');
    if (!key) throw new TwirpError('invalid_argument', 'key is required');
    if (!version) throw new TwirpError('invalid_argument', 'version is required');
    return { key, version };
  }

  const cacheMethods: Record<string, (body: Record<string, unknown>) => Record<string, unknown>> = {
    CreateCacheEntry(body) {
      const { key, version } = requireKeyVersion(body);
      const existing = cacheRecords.find((c) => c.key === key && c.version === version);
      if (existing) {
        // Entries are immutable and a pending one means another job is saving;
        // the library reports either as "another job may be creating this cache".
        throw new TwirpError(
          'already_exists',
          existing.finalized ? 'cache entry already exists' : 'cache entry is being created by another job',
        );
      }
      const id = nextCacheId++;
      const blob = `${STORAGE_ACCOUNT}/${CACHE_CONTAINER}/${id}/${createHash('sha256').update(`${key}\0${version}`).digest('hex')}`;
      cacheRecords.push({ id, key, version, blob, finalized: false, size: 0, createdSeq: 0 });
      return { ok: true, signed_upload_url: signedUrl(blob, 'w') };
    },

    FinalizeCacheEntryUpload(body) {
      const { key, version } = requireKeyVersion(body);
      const record = cacheRecords.find((c) => !c.finalized && c.key === key && c.version === version);
      if (!record) throw new TwirpError('not_found', `no cache upload in progress for ${key}`);
      const blob = blobs.get(record.blob);
      if (!blob) throw new TwirpError('failed_precondition', `cache ${key} has no uploaded content`);
      const size = int64(body, 'size_bytes');
      if (size !== blob.data.length) {
        throw new TwirpError(
          'invalid_argument',
          `size_bytes ${size} does not match uploaded ${blob.data.length} bytes`,
        );
      }
      record.finalized = true;
      record.size = size;
      record.createdSeq = ++seq;
      return { ok: true, entry_id: String(record.id) };
    },

    GetCacheEntryDownloadURL(body) {
      const { key, version } = requireKeyVersion(body);
      const restoreKeys = Array.isArray(body['restore_keys'])
        ? body['restore_keys'].filter((k): k is string => typeof k === 'string')
        : [];
      const candidates = cacheRecords
        .filter((c) => c.finalized && c.version === version)
        .sort((a, b) => b.createdSeq - a.createdSeq); // newest first
      // Documented order: exact primary key, then prefix of the primary key,
      // then each restore key as a prefix in turn; newest partial match wins.
      const match =
        candidates.find((c) => c.key === key) ??
        candidates.find((c) => c.key.startsWith(key)) ??
        restoreKeys.map((rk) => candidates.find((c) => c.key.startsWith(rk))).find((c) => c !== undefined);
      // A miss is `ok: false` with HTTP 200 (proto3 JSON omits it): the library
      // then returns undefined quietly instead of warning.
      if (!match) return {};
      return { ok: true, signed_download_url: signedUrl(match.blob, 'r'), matched_key: match.key };
    },
  };

  // ---- HTTP plumbing ------------------------------------------------------

  function sendJson(res: ServerResponse, status: number, body: unknown): void {
    const payload = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': payload.length });
    res.end(payload);
  }

  function twirpError(res: ServerResponse, code: string, msg: string): void {
    sendJson(res, TWIRP_STATUS[code] ?? 500, { code, msg });
  }

  async function handleTwirp(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const [servicePart, method = ''] = path.slice(TWIRP_PREFIX.length).split('/');
    const service = servicePart ?? '';
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      body = raw.toString('utf8');
    }
    requests.push({ service, method, body });

    const queued = scripted.get(method);
    const script = queued?.shift();
    if (script) {
      const fallback =
        script.status >= 200 && script.status < 300
          ? {}
          : { code: twirpCodeFor(script.status), msg: `scripted ${script.status} for ${method}` };
      sendJson(res, script.status, script.body === undefined ? fallback : script.body);
      return;
    }

    if (req.method !== 'POST') return twirpError(res, 'bad_route', `unsupported method ${req.method}`);
    if (!(header(req, 'content-type') ?? '').startsWith('application/json')) {
      return twirpError(res, 'bad_route', 'only the JSON protocol is served');
    }
    if (header(req, 'authorization') !== `Bearer ${runtimeToken}`) {
      return twirpError(res, 'unauthenticated', 'missing or wrong runtime token');
    }
    const table = service === ARTIFACT_SERVICE ? artifactMethods : service === CACHE_SERVICE ? cacheMethods : undefined;
    const handler = table?.[method];
    if (!handler) return twirpError(res, 'bad_route', `no handler for ${service}/${method}`);
    if (!isRecord(body)) return twirpError(res, 'malformed', 'body must be a JSON object');
    try {
      sendJson(res, 200, handler(body));
    } catch (error) {
      if (error instanceof TwirpError) return twirpError(res, error.code, error.message);
      throw error;
    }
  }

  function blobError(res: ServerResponse, status: number, code: string, message: string): void {
    const xml = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
    res.writeHead(status, {
      'Content-Type': 'application/xml',
      'x-ms-error-code': code,
      'x-ms-request-id': randomBytes(8).toString('hex'),
    });
    res.end(xml);
  }

  function storeBlob(name: string, data: Buffer, contentType: string | undefined): Blob {
    const blob: Blob = {
      data,
      contentType: contentType ?? 'application/octet-stream',
      etag: `"0x${randomBytes(8).toString('hex').toUpperCase()}"`,
      lastModified: new Date(),
    };
    blobs.set(name, blob);
    stagedBlocks.delete(name);
    return blob;
  }

  async function handleBlob(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const blobName = decodeURIComponent(url.pathname.slice(1));
    const query = parseQuery(url.search);
    const comp = query.get('comp');
    const method = req.method ?? 'GET';
    const log: BlobCall = { method, blob: blobName, comp, status: 0 };
    blobRequests.push(log);
    res.on('finish', () => {
      log.status = res.statusCode;
    });

    const sig = signatures.get(query.get('sig') ?? '');
    const needed = method === 'PUT' ? 'w' : 'r';
    if (!sig || sig.blob !== blobName || sig.permission !== needed) {
      await readBody(req);
      return blobError(res, 403, 'AuthenticationFailed', 'Signature not valid for this blob or operation.');
    }
    const common = {
      'x-ms-request-id': randomBytes(8).toString('hex'),
      'x-ms-version': '2024-11-04',
      Date: new Date().toUTCString(),
    };

    if (method === 'PUT') {
      const body = await readBody(req);
      if (comp === 'block') {
        const blockId = query.get('blockid');
        if (!blockId) return blobError(res, 400, 'InvalidQueryParameterValue', 'blockid is required');
        let staged = stagedBlocks.get(blobName);
        if (!staged) stagedBlocks.set(blobName, (staged = new Map()));
        staged.set(blockId, body);
        res.writeHead(201, { ...common, 'x-ms-request-server-encrypted': 'true' });
        return void res.end();
      }
      if (comp === 'blocklist') {
        // The committed blob is the listed blocks in list order.
        const staged = stagedBlocks.get(blobName) ?? new Map<string, Buffer>();
        const committed = blobs.get(blobName);
        const parts: Buffer[] = [];
        for (const m of body.toString('utf8').matchAll(/<(Latest|Uncommitted|Committed)>([^<]*)<\/\1>/g)) {
          const id = m[2] ?? '';
          const block = staged.get(id) ?? (m[1] === 'Committed' || m[1] === 'Latest' ? committed?.data : undefined);
          if (!block) return blobError(res, 400, 'InvalidBlockList', `unknown block id ${id}`);
          parts.push(block);
        }
        const blob = storeBlob(blobName, Buffer.concat(parts), header(req, 'x-ms-blob-content-type'));
        res.writeHead(201, {
          ...common,
          ETag: blob.etag,
          'Last-Modified': blob.lastModified.toUTCString(),
          'x-ms-request-server-encrypted': 'true',
        });
        return void res.end();
      }
      if (comp === undefined && header(req, 'x-ms-blob-type') === 'BlockBlob') {
        const blob = storeBlob(blobName, body, header(req, 'x-ms-blob-content-type'));
        res.writeHead(201, {
          ...common,
          ETag: blob.etag,
          'Last-Modified': blob.lastModified.toUTCString(),
          'x-ms-request-server-encrypted': 'true',
        });
        return void res.end();
      }
      return blobError(res, 400, 'UnsupportedQueryParameter', `unsupported PUT comp=${comp ?? ''}`);
    }

    if (method === 'GET' || method === 'HEAD') {
      await readBody(req);
      const blob = blobs.get(blobName);
      if (!blob) return blobError(res, 404, 'BlobNotFound', 'The specified blob does not exist.');
      let data = blob.data;
      let status = 200;
      const headers: Record<string, string | number> = {
        ...common,
        'Content-Type': blob.contentType,
        ETag: blob.etag,
        'Last-Modified': blob.lastModified.toUTCString(),
        'Accept-Ranges': 'bytes',
        'x-ms-blob-type': 'BlockBlob',
      };
      if (sig.contentDisposition) headers['Content-Disposition'] = sig.contentDisposition;
      const range = /^bytes=(\d+)-(\d*)$/.exec(header(req, 'x-ms-range') ?? header(req, 'range') ?? '');
      if (range) {
        const start = Number(range[1]);
        const end = range[2] ? Math.min(Number(range[2]), data.length - 1) : data.length - 1;
        if (start >= data.length) return blobError(res, 416, 'InvalidRange', 'The range specified is invalid.');
        headers['Content-Range'] = `bytes ${start}-${end}/${data.length}`;
        data = data.subarray(start, end + 1);
        status = 206;
      }
      headers['Content-Length'] = data.length;
      res.writeHead(status, headers);
      return void res.end(method === 'HEAD' ? undefined : data);
    }

    await readBody(req);
    return blobError(res, 405, 'UnsupportedHttpVerb', `unsupported verb ${method}`);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const work = url.pathname.startsWith(TWIRP_PREFIX)
      ? handleTwirp(req, res, url.pathname)
      : url.pathname.startsWith(`/${STORAGE_ACCOUNT}/`)
        ? handleBlob(req, res, url)
        : (async () => {
            // Cache v1 (`/_apis/artifactcache/...`) and anything else: not served.
            await readBody(req);
            twirpError(res, 'bad_route', `not served by the fake: ${req.method ?? ''} ${url.pathname}`);
          })();
    work.catch((error: unknown) => {
      if (!res.headersSent) twirpError(res, 'internal', error instanceof Error ? error.message : String(error));
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}/`;

  return {
    url: baseUrl,
    runtimeToken,
    workflowRunId: WORKFLOW_RUN_ID,
    workflowJobRunId: WORKFLOW_JOB_RUN_ID,
    requests,
    blobRequests,

    env() {
      return {
        // Both libraries use only the origin; the runner's value ends in "/".
        ACTIONS_RESULTS_URL: baseUrl,
        ACTIONS_RUNTIME_TOKEN: runtimeToken,
        // Any non-empty value selects cache service v2 …
        ACTIONS_CACHE_SERVICE_V2: 'true',
        // … but only when the server is not GHES: keep github.com here.
        GITHUB_SERVER_URL: 'https://github.com',
        // Override a read-only/none mode inherited from a real runner.
        ACTIONS_CACHE_MODE: 'write',
        // @actions/cache stages archives under RUNNER_TEMP (else /home/actions/temp).
        RUNNER_TEMP: runnerTemp,
      };
    },

    artifacts() {
      return artifactRecords
        .filter((a) => a.finalized)
        .map((a) => ({
          id: a.id,
          name: a.name,
          size: a.size,
          hash: a.hash,
          zip: blobs.get(a.blob)?.data ?? Buffer.alloc(0),
          retentionDays: a.retentionDays,
          createdAt: a.createdAt,
        }));
    },

    async artifactFiles(name) {
      const record = finalizedArtifact(name);
      const blob = record && blobs.get(record.blob);
      if (!blob) throw new Error(`fake results service: no artifact named ${name}`);
      return readZip(blob.data);
    },

    cacheEntries() {
      return cacheRecords
        .filter((c) => c.finalized)
        .sort((a, b) => a.createdSeq - b.createdSeq)
        .map((c) => ({
          id: c.id,
          key: c.key,
          version: c.version,
          size: c.size,
          data: blobs.get(c.blob)?.data ?? Buffer.alloc(0),
        }));
    },

    failNext(method, response) {
      const queue = scripted.get(method) ?? [];
      queue.push(response);
      scripted.set(method, queue);
    },

    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The libraries' HTTP agents keep sockets alive; don't wait for them.
        server.closeAllConnections();
      });
      await rm(runnerTemp, { recursive: true, force: true });
    },
  };
}
