/**
 * Reads one file out of a zip archive (an artifact download). fflate is small, has no
 * dependencies and is loaded only by the paths that read artifacts (runs sync, emit-event wait).
 */
export async function readZipEntry(zip: Uint8Array, fileName: string): Promise<string | undefined> {
  const { unzipSync, strFromU8 } = await import('fflate');
  const files = unzipSync(zip, { filter: (file) => file.name === fileName });
  const bytes = files[fileName];
  return bytes ? strFromU8(bytes) : undefined;
}
