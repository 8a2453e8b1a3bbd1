/**
 * Errors a user can act on. Anything that is not a UserError is a bug in autostack and is
 * reported as such (still on one line, still without a stack trace unless debug logging is on).
 */
export class UserError extends Error {
  /** Where the problem is, so the runner can annotate it (file, line). */
  readonly file: string | undefined;
  readonly line: number | undefined;
  constructor(message: string, where?: { file?: string | undefined; line?: number | undefined }) {
    super(message);
    this.name = 'UserError';
    this.file = where?.file;
    this.line = where?.line;
  }
}

/** A bad action input or CLI flag: names the input and says what would be valid. */
export class InputError extends UserError {
  readonly input: string;
  constructor(input: string, problem: string) {
    super(`Input '${input}' ${problem}`);
    this.name = 'InputError';
    this.input = input;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
