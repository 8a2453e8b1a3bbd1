import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import { errorMessage } from '../shared/errors.js';

// Imported by runner.ts's artifact store on its first upload, with @actions/artifact: a step that
// uploads nothing loads neither, nor the file-system modules staging needs.

/**
 * @actions/artifact uploads files, so the bytes are staged first. The record is in memory; a
 * full or read-only disk must not cost the artifact too: RUNNER_TEMP (the workspace disk on a
 * runner) is tried first, then /dev/shm (tmpfs: memory, not the disk that filled up), then the
 * system temp folder. The first place that takes every file is used.
 */
function stageFiles(files: Record<string, string>): { root: string; paths: string[] } {
  const places = [process.env.RUNNER_TEMP, '/dev/shm', tmpdir()].filter((place): place is string => Boolean(place));
  const failures: string[] = [];
  for (const place of [...new Set(places)]) {
    let root: string | undefined;
    try {
      root = mkdtempSync(join(place, 'autostack-artifact-'));
      const staged = root;
      const paths = Object.entries(files).map(([fileName, content]) => {
        const path = join(staged, fileName);
        writeFileSync(path, content);
        return path;
      });
      return { root, paths };
    } catch (error) {
      if (root) rmSync(root, { recursive: true, force: true });
      failures.push(`${place}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`);
    }
  }
  throw new Error(`no folder could hold the artifact's files for upload (${failures.join('; ')})`);
}

/** Stages the files and uploads them as one artifact; the staged copy is removed either way. */
export async function uploadArtifact(
  name: string,
  files: Record<string, string>,
  retentionDays: number,
): Promise<{ id: number | undefined; size: number | undefined }> {
  const { root, paths } = stageFiles(files);
  try {
    const result = await new DefaultArtifactClient().uploadArtifact(name, paths, root, { retentionDays });
    return { id: result.id, size: result.size };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
