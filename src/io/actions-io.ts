import * as core from '@actions/core';
import { registerSecret } from '../shared/redact.js';
import type { Annotation, StepIo } from './io.js';

function toProperties(where: Annotation | undefined): core.AnnotationProperties {
  return { file: where?.file, startLine: where?.line, title: where?.title };
}

/** StepIo over @actions/core: what a bundled action uses on a runner. */
export const actionsIo: StepIo = {
  debug: (message) => core.debug(message),
  info: (message) => core.info(message),
  notice: (message) => core.notice(message),
  warning: (message, where) => core.warning(message, toProperties(where)),
  error: (message, where) => core.error(message, toProperties(where)),
  group: (title, body) => core.group(title, body),
  setSecret(value) {
    core.setSecret(value);
    registerSecret(value);
  },
  setOutput: (name, value) => core.setOutput(name, value),
  exportVariable: (name, value) => core.exportVariable(name, value),
  saveState: (name, value) => core.saveState(name, value),
  getState: (name) => core.getState(name),
  async appendSummary(markdown) {
    await core.summary.addRaw(markdown, true).write();
  },
};
