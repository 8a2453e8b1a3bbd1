/**
 * The seam between domain code and where it runs. Domain code never imports @actions/core,
 * so the CLI, the local runner and unit tests drive it unchanged.
 */
export interface Log {
  debug(message: string): void;
  info(message: string): void;
  notice(message: string): void;
  warning(message: string, where?: Annotation): void;
  error(message: string, where?: Annotation): void;
  /** Collapsed in the Actions log; indented on a terminal. */
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
  /** Registers a value that must never be printed again. */
  setSecret(value: string): void;
}

export interface Annotation {
  file?: string | undefined;
  line?: number | undefined;
  title?: string | undefined;
}

export interface StepIo extends Log {
  /** A step's outputs, in this order: one write to the runner's output file. */
  setOutputs(outputs: readonly (readonly [name: string, value: string])[]): void;
  /** Variables for later steps (and this process), in one write to the runner's env file. */
  exportVariables(variables: readonly (readonly [name: string, value: string])[]): void;
  /** State handed from an action's main step to its post step, in one write to the state file. */
  saveStates(states: readonly (readonly [name: string, value: string])[]): void;
  getState(name: string): string;
  /** Appends markdown to the job summary (or prints it on a terminal). */
  appendSummary(markdown: string): Promise<void>;
}
