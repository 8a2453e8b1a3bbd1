import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Cryptographically random bytes without loading node:crypto on the start path: its first load
 * (with the stream modules it pulls in) was about 20 ms of every action's start on Node 24. The
 * bytes come from the kernel's generator through /dev/urandom; where there is none (Windows),
 * from node:crypto after all. Used for run and step ids and the runner-file delimiter.
 */
export function randomBytes(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  let fd: number | undefined;
  try {
    fd = openSync('/dev/urandom', 'r');
    for (let filled = 0; filled < size;) filled += readSync(fd, bytes, filled, size - filled, null);
    return bytes;
  } catch {
    return process.getBuiltinModule('node:crypto').randomBytes(size);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A random (version 4) UUID, under node:crypto's name: scripts/build.mjs gives it to
 * @actions/core's file commands in place of node:crypto.
 * @public
 */
export function randomUUID(): string {
  return uuidFromBytes(randomBytes(16));
}

/** The version 4 UUID made of the 16 random bytes at `offset` (several UUIDs from one read). */
export function uuidFromBytes(random: Buffer, offset = 0): string {
  const bytes = Buffer.from(random.subarray(offset, offset + 16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
