import { Readable } from 'node:stream';

/**
 * Reads one file out of an artifact zip. unzip-stream is the reader @actions/artifact itself
 * uses for downloads, so it adds nothing to the bundle that record-run does not already carry.
 */
export async function readZipEntry(zip: Buffer, fileName: string): Promise<string | undefined> {
  const { Parse } = await import('unzip-stream');
  return new Promise((resolve, reject) => {
    let found: string | undefined;
    const parser = Parse();
    parser.on('entry', (entry: import('unzip-stream').Entry) => {
      if (entry.type !== 'File' || entry.path !== fileName) {
        entry.autodrain();
        return;
      }
      const chunks: Buffer[] = [];
      entry.on('data', (chunk: Buffer) => chunks.push(chunk));
      entry.on('end', () => (found = Buffer.concat(chunks).toString('utf8')));
    });
    parser.on('error', reject);
    parser.on('close', () => resolve(found));
    parser.on('finish', () => setImmediate(() => resolve(found)));
    Readable.from([zip]).pipe(parser);
  });
}
