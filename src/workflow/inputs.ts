// Typed inputs of workflow_dispatch and workflow_call: declared types, defaults, required ones.
import { isBoolean, isMapping, isString } from '@actions/workflow-parser';
import type { MappingToken } from '@actions/workflow-parser/templates/tokens/mapping-token';
import { UserError } from '../shared/errors.js';
import { eventFacts, githubContext } from './contexts.js';
import { evaluateToken, type Json, stringify } from './expressions.js';
import { field, type LoadedWorkflow, locate } from './load.js';
import type { Session } from './session.js';

/** Typed `inputs` for workflow_dispatch / workflow_call, from --input strings and declared defaults. */
export function triggerInputs(
  session: Session,
  workflow: LoadedWorkflow,
  eventName: string,
  given: Record<string, string | Json>,
  where?: string,
): Record<string, Json> {
  const on = field(workflow.root, 'on');
  const trigger = on && isMapping(on) ? on.find(eventName) : undefined;
  const declared = trigger && isMapping(trigger) ? trigger.find('inputs') : undefined;
  const result: Record<string, Json> = {};
  const names = new Set<string>();
  const location = where ?? workflow.display;
  if (declared && isMapping(declared)) {
    for (const pair of declared) {
      const name = isString(pair.key) ? pair.key.value : '';
      names.add(name);
      const spec = isMapping(pair.value) ? pair.value : undefined;
      const typeToken = spec?.find('type');
      const type = typeToken && isString(typeToken) ? typeToken.value : 'string';
      const requiredToken = spec?.find('required');
      const required = Boolean(requiredToken && isBoolean(requiredToken) && requiredToken.value);
      const defaultToken = spec?.find('default');
      let value: Json | undefined = given[name];
      if (value === undefined && defaultToken) {
        value = evaluateToken(defaultToken, {
          contexts: {
            github: githubContext(session, workflow, {
              eventName,
              payload: {},
              runId: 0,
              eventPath: '',
              facts: eventFacts(session, eventName, {}),
            }),
          },
          where: locate(workflow.display, defaultToken),
        });
      }
      if (value === undefined) {
        if (required)
          throw new UserError(
            `${location}: input '${name}' is required by ${workflow.display} and has no default; pass --input ${name}=VALUE${eventName === 'workflow_call' ? ' (or with: in the caller)' : ''}.`,
          );
        value = type === 'boolean' ? false : type === 'number' ? 0 : '';
      }
      result[name] = coerceInput(name, type, value, spec, location);
    }
  }
  for (const name of Object.keys(given)) {
    if (!names.has(name)) {
      const known = [...names].join(', ') || 'none';
      throw new UserError(
        `${location}: ${workflow.display} declares no ${eventName} input '${name}' (declared: ${known}).`,
      );
    }
  }
  return result;
}

function coerceInput(name: string, type: string, value: Json, spec: MappingToken | undefined, where: string): Json {
  if (type === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new UserError(`${where}: input '${name}' is a boolean; got '${stringify(value)}' (use true or false).`);
  }
  if (type === 'number') {
    const number = typeof value === 'number' ? value : Number(value);
    if (typeof value === 'boolean' || value === '' || !Number.isFinite(number))
      throw new UserError(`${where}: input '${name}' is a number; got '${stringify(value)}'.`);
    return number;
  }
  if (type === 'choice') {
    const optionsToken = spec?.find('options');
    const options = optionsToken
      ? (evaluateToken(optionsToken, { contexts: {}, where }) as Json[]).map((option) => stringify(option))
      : [];
    if (!options.includes(stringify(value)))
      throw new UserError(`${where}: input '${name}' must be one of ${options.join(', ')}; got '${stringify(value)}'.`);
    return stringify(value);
  }
  return stringify(value);
}
