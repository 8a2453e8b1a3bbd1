import { EventEmitter } from 'node:events';
import { writeSync } from 'node:fs';

type Done = (error?: Error | null) => void;
type Writable = { write(chunk: string | Uint8Array, encoding?: BufferEncoding, done?: Done): boolean };
/** Node's own stream, once a write failed over to it (the rest of the log then goes through it). */
let fallback: NodeJS.WriteStream | undefined;

/**
 * A step's log reaches the runner through a pipe. On first access Node builds `process.stdout`
 * for a pipe as a net.Socket, loading net, stream and about twenty more modules: ~7 ms of a
 * ~90 ms bare start on a 2-core runner, paid by every action for its first log line, although
 * Node makes pipe writes synchronous anyway. An action only ever calls `write` on it
 * (@actions/core's log lines and commands, and console), so it gets a writer that calls
 * write(2) on fd 1 directly. If that fails — EAGAIN from a pipe someone made non-blocking,
 * EPIPE from a closed reader — the unwritten rest and every later write go to Node's own stream,
 * which handles them as it always did. Only the action entry points use this; the CLI keeps
 * Node's stream (it pipes and streams large outputs).
 */
export function useSyncStdout(): void {
  const original = Object.getOwnPropertyDescriptor(process, 'stdout');
  if (!original?.get || !original.configurable) return; // already built or replaced: leave it
  let stream: Writable | undefined;
  const nodeStream = (): Writable => {
    if (!stream) {
      Object.defineProperty(process, 'stdout', original);
      stream = fallback = process.stdout;
    }
    return stream;
  };
  const writer = Object.assign(new EventEmitter(), {
    fd: 1,
    write(chunk: string | Uint8Array, encoding?: BufferEncoding | Done, done?: Done): boolean {
      const callback = typeof encoding === 'function' ? encoding : done;
      const charset = typeof encoding === 'string' ? encoding : 'utf8';
      if (stream) return stream.write(chunk, charset, callback);
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, charset) : chunk;
      const rest = writeAll(bytes);
      if (rest === undefined) {
        callback?.();
        return true;
      }
      return nodeStream().write(rest, undefined, callback);
    },
  });
  // nodeStream() puts Node's own getter back; until then every reader of process.stdout gets the writer.
  Object.defineProperty(process, 'stdout', { configurable: true, enumerable: true, value: writer });
}

/** Writes every byte to fd 1; returns what is left unwritten when a write fails. */
function writeAll(bytes: Uint8Array): Uint8Array | undefined {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(1, bytes, offset);
    } catch {
      return bytes.subarray(offset);
    }
  }
  return undefined;
}

/**
 * Ends the process once the log is written, with the exit code already set. A step's work is done
 * when its action returns, but Node would still run V8's pending tasks before exiting (a minor GC
 * the start's allocation scheduled: 3–5 ms) and tear the heap down: 5–13 ms of every cold start
 * (docs/benchmarks.md, round 3). Writes through our writer are done when write returns; only a
 * failed-over stream can still hold bytes (a non-blocking pipe that filled up), so that waits
 * for 'drain' first.
 */
export function exitWhenWritten(): void {
  if (fallback && fallback.writableLength > 0) {
    // A reader that went away fails the write instead of draining it: exit then too.
    fallback.once('drain', () => process.exit());
    fallback.once('error', () => process.exit());
  } else process.exit();
}
