import * as core from '@actions/core';
import { actionsIo } from '../io/actions-io.js';
import { type GitHubContext, readGitHubContext } from '../io/github-context.js';
import { type RecordRunOptions, startRun } from '../runs/start-run.js';
import { DEFAULT_RUNS_DIRECTORY } from '../runs/store.js';
import { input, readInputs } from '../shared/inputs.js';

export const recordRunInputs = {
  name: input.label(),
  artifact: input.boolean(true),
  'retention-days': input.integer({ min: 1, max: 90, default: 90 }),
  summary: input.boolean(true),
  directory: input.text().default(DEFAULT_RUNS_DIRECTORY),
  'github-token': input.optionalText(),
  'otlp-endpoint': input.optionalText(),
  'otlp-headers': input.optionalText(),
  'otlp-protocol': input.optionalText(),
  'loki-url': input.optionalText(),
  'loki-headers': input.optionalText(),
};

export function recordRunOptions(read: (name: string) => string | undefined, github: GitHubContext): RecordRunOptions {
  const inputs = readInputs(recordRunInputs, read);
  return {
    name: inputs.name ?? ([github.workflow, github.job].filter(Boolean).join(' / ') || 'run'),
    artifact: inputs.artifact,
    retentionDays: inputs['retention-days'],
    summary: inputs.summary,
    directory: inputs.directory,
    githubToken: inputs['github-token'],
    telemetry: {
      otlpEndpoint: inputs['otlp-endpoint'],
      otlpHeaders: inputs['otlp-headers'],
      otlpProtocol: inputs['otlp-protocol'],
      lokiUrl: inputs['loki-url'],
      lokiHeaders: inputs['loki-headers'],
    },
  };
}

export const readActionInput = (name: string) => core.getInput(name);

export async function recordRunMain(): Promise<void> {
  const github = readGitHubContext();
  const options = recordRunOptions(readActionInput, github);
  if (options.githubToken) actionsIo.setSecret(options.githubToken);
  startRun(options, actionsIo, github);
}
