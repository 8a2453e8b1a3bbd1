import { registerSecret, redact } from '../shared/redact.js';
import type { Annotation, StepIo } from './io.js';

function where(annotation: Annotation | undefined): string {
  if (!annotation?.file) return '';
  return annotation.line ? ` (${annotation.file}:${annotation.line})` : ` (${annotation.file})`;
}

/**
 * StepIo for the CLI: plain text on stderr/stdout, outputs collected in memory, state kept
 * in-process. Every line is redacted because no runner masks it for us here.
 */
export type ConsoleIo = StepIo & { outputs: Map<string, string> };

export function createConsoleIo(options: { verbose?: boolean; out?: NodeJS.WritableStream } = {}): ConsoleIo {
  const out = options.out ?? process.stderr;
  const state = new Map<string, string>();
  const outputs = new Map<string, string>();
  let indent = '';
  const write = (line: string) => out.write(`${indent}${redact(line)}\n`);
  return {
    outputs,
    debug: (message) => {
      if (options.verbose) write(`debug: ${message}`);
    },
    info: (message) => write(message),
    notice: (message) => write(`notice: ${message}`),
    warning: (message, annotation) => write(`warning: ${message}${where(annotation)}`),
    error: (message, annotation) => write(`error: ${message}${where(annotation)}`),
    async group(title, body) {
      write(`▸ ${title}`);
      const previous = indent;
      indent += '  ';
      try {
        return await body();
      } finally {
        indent = previous;
      }
    },
    setSecret: (value) => registerSecret(value),
    setOutputs: (values) => {
      for (const [name, value] of values) outputs.set(name, redact(value));
    },
    exportVariables: (variables) => {
      for (const [name, value] of variables) process.env[name] = redact(value);
    },
    saveStates: (states) => {
      for (const [name, value] of states) state.set(name, value);
    },
    getState: (name) => state.get(name) ?? '',
    async appendSummary(markdown) {
      write(markdown);
    },
  };
}
