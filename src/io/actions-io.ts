import * as core from '@actions/core';
import { redact, registerSecret } from '../shared/redact.js';
import type { Annotation, StepIo } from './io.js';
import { appendFileCommands } from './output-file.js';
import { appendStepSummary } from './step-summary.js';

function toProperties(where: Annotation | undefined): core.AnnotationProperties {
  return { file: where?.file, startLine: where?.line, title: where?.title };
}

let groupDepth = 0;

/**
 * StepIo over @actions/core: what a bundled action uses on a runner. The runner masks the raw
 * secrets it was told about in the log only; every line, output and summary goes through
 * redact() here too, for derived forms, token shapes and the sinks the runner does not mask.
 */
export const actionsIo: StepIo = {
  debug: (message) => core.debug(redact(message)),
  info: (message) => core.info(redact(message)),
  notice: (message) => core.notice(redact(message)),
  warning: (message, where) => core.warning(redact(message), toProperties(where)),
  error: (message, where) => core.error(redact(message), toProperties(where)),
  // The Actions log has no nested groups: a group opened inside another (a test case's
  // run-prompt inside promote-prompt's eval group) is its title on a plain line instead.
  async group(title, body) {
    if (groupDepth > 0) {
      core.info(redact(title));
      return body();
    }
    groupDepth += 1;
    try {
      return await core.group(redact(title), body);
    } finally {
      groupDepth -= 1;
    }
  },
  setSecret(value) {
    core.setSecret(value);
    registerSecret(value);
  },
  setOutputs(outputs) {
    const redacted = outputs.map(([name, value]) => [name, redact(value)] as const);
    // Without GITHUB_OUTPUT (an old runner), core's stdout command, one per output.
    if (!appendFileCommands('GITHUB_OUTPUT', redacted))
      for (const [name, value] of redacted) core.setOutput(name, value);
  },
  exportVariables(variables) {
    const redacted = variables.map(([name, value]) => [name, redact(value)] as const);
    // core.exportVariable sets the variable for this process too.
    for (const [name, value] of redacted) process.env[name] = value;
    if (!appendFileCommands('GITHUB_ENV', redacted))
      for (const [name, value] of redacted) core.exportVariable(name, value);
  },
  saveStates(states) {
    if (!appendFileCommands('GITHUB_STATE', states)) for (const [name, value] of states) core.saveState(name, value);
  },
  getState: (name) => core.getState(name),
  async appendSummary(markdown) {
    appendStepSummary(redact(markdown));
  },
};
