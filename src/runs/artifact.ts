import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** True where the Actions results service is reachable, i.e. on a runner (or its fake). */
export function onActionsRunner(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.ACTIONS_RUNTIME_TOKEN && env.ACTIONS_RESULTS_URL);
}

/**
 * Uploads files as one workflow artifact. @actions/artifact is loaded on demand: it is the
 * heaviest dependency and only the post step that uploads needs it.
 */
export async function uploadFilesAsArtifact(
  name: string,
  files: Record<string, string>,
  retentionDays: number,
): Promise<{ id: number | undefined; size: number | undefined }> {
  const { DefaultArtifactClient } = await import('@actions/artifact');
  const root = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'autostack-artifact-'));
  try {
    const paths = Object.entries(files).map(([fileName, content]) => {
      const path = join(root, fileName);
      writeFileSync(path, content);
      return path;
    });
    const result = await new DefaultArtifactClient().uploadArtifact(name, paths, root, { retentionDays });
    return { id: result.id, size: result.size };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
