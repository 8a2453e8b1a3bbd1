import * as z from '../shared/mini-zod.js';
import type { GitHubClient } from '../github/client.js';
import type { Log } from '../io/io.js';
import { errorMessage } from '../shared/errors.js';
import { readZipEntry } from '../shared/zip.js';
import { artifactName, RECORD_FILE_NAME } from './store.js';
import { splitRepository } from '../github/repository.js';

/**
 * Reads what a finished child run handed back: the `outputs` of every autostack run record it
 * uploaded (artifacts `autostack-run-*`, one per job that used record-run), through the public
 * artifacts API with the parent's token (actions: read on the child's repository). The child
 * does not need to know its parent: it only records outputs (`autostack output NAME=VALUE`).
 */

export interface ChildOutputs {
  outputs: Record<string, string>;
  /** Run ids of the records read. */
  records: string[];
}

const ARTIFACT_PREFIX = artifactName('');

const recordOutputsSchema = z.looseObject({ runId: z.string(), outputs: z.optional(z.record(z.string(), z.string())) });

interface ArtifactJson {
  id: number;
  name: string;
  expired: boolean;
}

export async function readChildOutputs(
  client: GitHubClient,
  repository: string,
  runId: number,
  log: Log,
): Promise<ChildOutputs> {
  const { owner, repo } = splitRepository(repository);
  const listed = await client.paginate('GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts', {
    owner,
    repo,
    run_id: runId,
    per_page: 100,
  });
  const artifacts = (listed as ArtifactJson[])
    .filter((artifact) => artifact.name.startsWith(ARTIFACT_PREFIX) && !artifact.expired)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (artifacts.length === 0) {
    log.warning(
      `Run ${runId} in ${repository} uploaded no autostack run record (artifact ${ARTIFACT_PREFIX}*), so it handed back no outputs. Add record-run to the child workflow.`,
    );
    return { outputs: {}, records: [] };
  }
  const outputs: Record<string, string> = {};
  const records: string[] = [];
  for (const artifact of artifacts) {
    try {
      // GitHub answers 302 to a signed blob URL; fetch follows it (and drops the token on the way).
      const response = await client.request(
        'GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}',
        {
          owner,
          repo,
          artifact_id: artifact.id,
          archive_format: 'zip',
        },
      );
      const text = await readZipEntry(new Uint8Array(response.data as ArrayBuffer), RECORD_FILE_NAME);
      if (text === undefined) throw new Error(`no ${RECORD_FILE_NAME} in the artifact`);
      const record = recordOutputsSchema.parse(JSON.parse(text));
      records.push(record.runId);
      for (const [name, value] of Object.entries(record.outputs ?? {})) {
        if (name in outputs && outputs[name] !== value)
          log.notice(
            `Output '${name}' is set by more than one job of run ${runId}; using the one from ${artifact.name}.`,
          );
        outputs[name] = value;
      }
    } catch (error) {
      log.warning(
        `Could not read the run record ${artifact.name} of run ${runId} in ${repository}: ${errorMessage(error)}`,
      );
    }
  }
  return { outputs, records };
}
