/**
 * A real `redis-server` for tests (not a fake protocol): integration tests run the real ioredis
 * against it, and crash/restart and cluster behaviour can only be trusted from the real server.
 *
 * Each server gets a free loopback port and its own temp directory (config, log, AOF). Servers
 * are unref'd so a forgotten one cannot keep the test process alive, and an exit hook SIGKILLs
 * every server still running and removes the directories.
 *
 * Readiness and cluster set-up use a tiny RESP client over node:net instead of ioredis, so the
 * helper does not depend on the client under test (and needs no redis-cli).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface AclUser {
  name: string;
  password: string;
  /** ACL rules for commands/keys, e.g. "+@all -flushall"; default "+@all". Keys and channels: all. */
  commands?: string;
}

export interface StartRedisOptions {
  /** appendonly yes with appendfsync always, so data survives kill() + restart(). */
  aof?: boolean;
  /** requirepass: the password of the `default` user. */
  password?: string;
  /** An extra ACL user; `url` then carries its credentials. */
  aclUser?: AclUser;
  /** Extra redis.conf lines. */
  extraConfig?: string[];
  /** How long to wait for the server to answer PING (default 10 s). */
  startTimeoutMs?: number;
}

export interface RedisServer {
  /** redis://127.0.0.1:PORT, with the ACL user's or the default user's credentials if any. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Working directory: redis.conf, redis.log, appendonlydir/. Removed when the process exits. */
  readonly dir: string;
  readonly running: boolean;
  readonly pid: number | undefined;
  /** The server log so far (useful in assertion messages). */
  logs(): string;
  /** SIGTERM and wait for exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit: a crash, no shutdown work. */
  kill(): Promise<void>;
  /** Start again on the same port and directory (stops first if running). */
  restart(): Promise<void>;
}

export interface StartRedisClusterOptions {
  /** Number of masters (default 3); slots are split evenly, no replicas. */
  masters?: number;
  password?: string;
}

export interface RedisCluster {
  nodes: Array<{ host: string; port: number }>;
  servers: RedisServer[];
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

// ---------------------------------------------------------------------------------------------
// Process bookkeeping: kill leftovers when the test process goes away
// ---------------------------------------------------------------------------------------------

const liveChildren = new Set<ChildProcess>();
const tempDirs = new Set<string>();
let hooksInstalled = false;

function cleanupSync(): void {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  liveChildren.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.once('exit', cleanupSync);
  // 'exit' does not fire on a fatal signal; clean up, then re-raise so the default action runs.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      cleanupSync();
      process.kill(process.pid, signal);
    });
  }
}

function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

function redisServerBinary(): string {
  const bin = findExecutable('redis-server');
  if (!bin) {
    throw new Error(
      'redis-server not found on PATH: install it with `apt-get install -y redis-server` (the CI script installs it).',
    );
  }
  return bin;
}

/** Bind port 0 and hand the port back; the tiny race with other processes is retried by callers. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Minimal RESP2 client (readiness probe and cluster set-up only)
// ---------------------------------------------------------------------------------------------

export type RespValue = string | number | null | RespError | RespValue[];

export class RespError extends Error {
  override name = 'RespError';
}

function encodeCommand(args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** One reply from `buf` at `at`, or undefined while it is incomplete. */
function parseReply(buf: Buffer, at: number): { value: RespValue; next: number } | undefined {
  const eol = buf.indexOf('\r\n', at);
  if (eol === -1) return undefined;
  const line = buf.toString('utf8', at + 1, eol);
  const next = eol + 2;
  switch (String.fromCharCode(buf[at] ?? 0)) {
    case '+':
      return { value: line, next };
    case '-':
      return { value: new RespError(line), next };
    case ':':
      return { value: Number(line), next };
    case '$': {
      const len = Number(line);
      if (len < 0) return { value: null, next };
      if (buf.length < next + len + 2) return undefined;
      return { value: buf.toString('utf8', next, next + len), next: next + len + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next };
      const items: RespValue[] = [];
      let pos = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, pos);
        if (!item) return undefined;
        items.push(item.value);
        pos = item.next;
      }
      return { value: items, next: pos };
    }
    default:
      throw new Error(`unexpected RESP reply: ${line}`);
  }
}

/** Send commands on one connection (AUTH first when a password is given); returns the last reply. */
export function redisCommand(
  port: number,
  args: string[],
  opts: { password?: string; timeoutMs?: number } = {},
): Promise<RespValue> {
  const commands = opts.password ? [['AUTH', opts.password], args] : [args];
  return new Promise((resolve, reject) => {
    const socket = connect({ host: HOST, port });
    let buf = Buffer.alloc(0);
    const replies: RespValue[] = [];
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(opts.timeoutMs ?? 2000, () =>
      fail(new Error(`redis ${HOST}:${port}: no reply to ${args[0] ?? ''}`)),
    );
    socket.once('error', fail);
    socket.once('connect', () => socket.write(commands.map(encodeCommand).join('')));
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        for (let parsed = parseReply(buf, 0); parsed; parsed = parseReply(buf, 0)) {
          replies.push(parsed.value);
          buf = buf.subarray(parsed.next);
        }
      } catch (error) {
        fail(error as Error);
        return;
      }
      if (replies.length < commands.length) return;
      socket.end();
      const auth = replies.length > 1 ? replies[0] : undefined;
      const last = replies[replies.length - 1] ?? null;
      if (auth instanceof RespError) reject(auth);
      else if (last instanceof RespError) reject(last);
      else resolve(last);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// One server
// ---------------------------------------------------------------------------------------------

/** redis.conf string quoting (sdssplitargs understands "…" with backslash escapes). */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function buildConfig(port: number, dir: string, opts: StartRedisOptions): string {
  const lines = [
    `bind ${HOST}`,
    `port ${port}`,
    `dir ${quote(dir)}`,
    `logfile ${quote(join(dir, 'redis.log'))}`,
    'daemonize no',
    // No RDB snapshots: tests must not depend on save timing, and AOF is the durability under test.
    'save ""',
    `appendonly ${opts.aof ? 'yes' : 'no'}`,
    'appendfsync always',
  ];
  if (opts.password !== undefined) lines.push(`requirepass ${quote(opts.password)}`);
  if (opts.aclUser) {
    const { name, password, commands = '+@all' } = opts.aclUser;
    if (!/^[^\s"]+$/.test(name)) throw new Error(`ACL user name must not contain spaces or quotes: ${name}`);
    lines.push(`user ${name} on ${quote(`>${password}`)} ~* &* ${commands}`);
  }
  lines.push(...(opts.extraConfig ?? []));
  return `${lines.join('\n')}\n`;
}

async function launch(bin: string, confPath: string, port: number, opts: StartRedisOptions): Promise<ChildProcess> {
  installExitHooks();
  const dir = join(confPath, '..');
  const child = spawn(bin, [confPath], { cwd: dir, stdio: 'ignore' });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  child.once('error', () => liveChildren.delete(child));
  child.unref();

  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server on port ${port} exited during start-up:\n${tail(dir)}`);
    }
    try {
      // PING after AUTH: also proves the AOF is loaded (a loading server answers -LOADING).
      const reply = await redisCommand(port, ['PING'], {
        ...(opts.password ? { password: opts.password } : {}),
        timeoutMs: 1000,
      });
      if (reply === 'PONG') return child;
    } catch (error) {
      lastError = error;
    }
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server on port ${port} did not answer PING in time (${String(lastError)}):\n${tail(dir)}`);
}

function tail(dir: string): string {
  try {
    return readFileSync(join(dir, 'redis.log'), 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitExit(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // Keep the event loop alive while we wait: the child is unref'd otherwise.
  child.ref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

function credentialsUrl(port: number, opts: StartRedisOptions): string {
  const enc = encodeURIComponent;
  if (opts.aclUser) return `redis://${enc(opts.aclUser.name)}:${enc(opts.aclUser.password)}@${HOST}:${port}`;
  if (opts.password !== undefined) return `redis://:${enc(opts.password)}@${HOST}:${port}`;
  return `redis://${HOST}:${port}`;
}

export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisServer> {
  const bin = redisServerBinary();
  const dir = mkdtempSync(join(tmpdir(), 'autostack-redis-'));
  tempDirs.add(dir);
  const confPath = join(dir, 'redis.conf');

  // The port from freePort() can be taken before redis binds it; try a few.
  let port = 0;
  let child: ChildProcess | undefined;
  for (let attempt = 1; !child; attempt++) {
    port = await freePort();
    writeFileSync(confPath, buildConfig(port, dir, opts));
    try {
      child = await launch(bin, confPath, port, opts);
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/.test(tail(dir))) throw error;
    }
  }

  let current: ChildProcess | undefined = child;
  const isRunning = () => current !== undefined && current.exitCode === null && current.signalCode === null;

  return {
    url: credentialsUrl(port, opts),
    host: HOST,
    port,
    dir,
    get running() {
      return isRunning();
    },
    get pid() {
      return isRunning() ? current?.pid : undefined;
    },
    logs() {
      try {
        return readFileSync(join(dir, 'redis.log'), 'utf8');
      } catch {
        return '';
      }
    },
    async stop() {
      if (current) await waitExit(current, 'SIGTERM', 10_000);
    },
    async kill() {
      if (current) await waitExit(current, 'SIGKILL', 10_000);
    },
    async restart() {
      if (current) await waitExit(current, 'SIGTERM', 10_000);
      current = undefined;
      current = await launch(bin, confPath, port, opts);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Cluster: N masters, slots split evenly, joined by hand (ADDSLOTSRANGE + MEET)
// ---------------------------------------------------------------------------------------------

export async function startRedisCluster(opts: StartRedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = opts.masters ?? 3;
  const auth = opts.password ? { password: opts.password } : {};
  const servers: RedisServer[] = [];
  const busPorts: number[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      // An explicit bus port: PORT+10000 (the default) can overflow or be taken on ephemeral ports.
      const busPort = await freePort();
      busPorts.push(busPort);
      servers.push(
        await startRedis({
          ...auth,
          extraConfig: [
            'cluster-enabled yes',
            'cluster-config-file nodes.conf',
            'cluster-node-timeout 2000',
            `cluster-port ${busPort}`,
            ...(opts.password ? [`masterauth ${quote(opts.password)}`] : []),
          ],
        }),
      );
    }

    const slotsPer = Math.ceil(16384 / masters);
    for (const [i, server] of servers.entries()) {
      const first = i * slotsPer;
      const last = Math.min(16383, first + slotsPer - 1);
      // Distinct epochs up front, as redis-cli --cluster create does, to skip epoch collisions.
      await redisCommand(server.port, ['CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1)], auth);
      await redisCommand(server.port, ['CLUSTER', 'ADDSLOTSRANGE', String(first), String(last)], auth);
    }
    const [seed] = servers;
    for (const [i, server] of servers.entries()) {
      if (i === 0 || !seed) continue;
      await redisCommand(seed.port, ['CLUSTER', 'MEET', HOST, String(server.port), String(busPorts[i])], auth);
    }

    // Ready when every node says ok and lists every node with an address (no handshake/noaddr).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const views = await Promise.all(
        servers.map(async (s) => {
          const info = String(await redisCommand(s.port, ['CLUSTER', 'INFO'], auth));
          const nodes = String(await redisCommand(s.port, ['CLUSTER', 'NODES'], auth))
            .trim()
            .split('\n');
          return (
            /cluster_state:ok/.test(info) &&
            nodes.length === masters &&
            nodes.every((l) => l.includes(` ${HOST}:`) && !/handshake|noaddr|fail/.test(l))
          );
        }),
      );
      if (views.every(Boolean)) break;
      if (Date.now() > deadline)
        throw new Error(
          `redis cluster did not reach cluster_state:ok:\n${servers.map((s) => s.logs().split('\n').slice(-5).join('\n')).join('\n---\n')}`,
        );
      await sleep(100);
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.kill()));
    throw error;
  }

  return {
    nodes: servers.map((s) => ({ host: s.host, port: s.port })),
    servers,
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
