import * as core from '@actions/core';
import { actionsIo } from '../io/actions-io.js';
import { type GitHubContext, readGitHubContext } from '../io/github-context.js';
import type { Ports } from '../ports/ports.js';
import type { InputReader, SpecWithSecrets } from '../shared/inputs.js';
import { runnerPorts } from '../ports/runner.js';

/** What every action's inputs are read against: made once here, the composition root of an action. */
export interface ActionEnvironment {
  env: NodeJS.ProcessEnv;
  /** The run this step is in, read once here. */
  github: GitHubContext;
  workspace: string;
  ports: Ports;
}

export function actionEnvironment(env: NodeJS.ProcessEnv = process.env): ActionEnvironment {
  return {
    env,
    github: readGitHubContext(),
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    ports: runnerPorts(env),
  };
}

/** The runner's inputs turned into a domain spec (the same function the CLI calls), secrets masked first. */
export function actionSpec<S>(specOf: (read: InputReader, environment: ActionEnvironment) => SpecWithSecrets<S>): S {
  const { spec, secrets } = specOf((name) => core.getInput(name), actionEnvironment());
  for (const secret of secrets) actionsIo.setSecret(secret);
  return spec;
}
