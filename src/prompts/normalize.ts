import { sha256Hex } from '../shared/sha256.js';

/**
 * The text a prompt's contentHash is computed over. A prompt's identity should not change when
 * an editor or a Windows checkout touches only invisible bytes, so:
 *   1. a leading UTF-8 byte-order mark is dropped;
 *   2. CRLF and lone CR line endings become LF;
 *   3. spaces and tabs at the end of every line are removed;
 *   4. trailing newlines are collapsed to exactly one (an empty file becomes "\n").
 * Everything else — indentation, blank lines inside the text, key order — counts.
 */
export function normalizeForHash(text: string): string {
  const lines = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''));
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

/**
 * 'sha256:' + hex digest of the normalized text. Several texts (an inline prompt and its system
 * prompt) are hashed together, NUL-separated, so a change to any of them is a new version.
 */
export function contentHash(...texts: [string, ...string[]]): string {
  return `sha256:${sha256Hex(texts.map(normalizeForHash).join('\0'))}`;
}

/** The explicit version when there is one, else a short form of the hash that is still unique in practice. */
export function versionLabel(version: string | undefined, hash: string): string {
  return version ?? hash.slice(0, 'sha256:'.length + 12);
}
