import { actionsIo } from '../io/actions-io.js';
import { readGitHubContext } from '../io/github-context.js';
import { runnerPorts } from '../ports/runner.js';
import { finishRun } from '../runs/finish-run.js';
import { RUN_STATE } from '../runs/start-run.js';
import { exportRunIfConfigured } from '../telemetry/export-run.js';
import { readActionInput, recordRunOptions } from './record-run.js';

export async function recordRunPost(): Promise<void> {
  // A main step that failed on its inputs started no run and already reported why.
  if (!actionsIo.getState(RUN_STATE.runId)) return;
  const github = readGitHubContext();
  const options = recordRunOptions(readActionInput, github);
  if (options.githubToken) actionsIo.setSecret(options.githubToken);
  // Header values carry API keys (Authorization=Basic …): never echoed anywhere.
  for (const headers of [
    options.telemetry?.otlpHeaders,
    options.telemetry?.lokiHeaders,
    process.env.OTEL_EXPORTER_OTLP_HEADERS,
    process.env.OTEL_EXPORTER_OTLP_TRACES_HEADERS,
    process.env.AUTOSTACK_LOKI_HEADERS,
  ]) {
    for (const part of (headers ?? '').split(',')) {
      const value = part.slice(part.indexOf('=') + 1).trim();
      if (part.includes('=') && value) actionsIo.setSecret(value);
    }
  }
  await finishRun(options, actionsIo, runnerPorts(), github, process.env, (record) =>
    exportRunIfConfigured(record, options.telemetry, actionsIo),
  );
}
