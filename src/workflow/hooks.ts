// The seam between the generic runner and the actions it knows more about. The runner never
// recognises an action by name; whoever builds it (the CLI, the demo, a test) passes hooks.
import type { NodeAction } from './types.js';

export interface StepHookContext {
  action: NodeAction;
  inputs: Record<string, string>;
  workspace: string;
  /** The node binary that runs node actions. */
  nodePath: string;
}

/** A different way to run a node action's main entry point. */
export interface StepCommand {
  command: string;
  args: string[];
  /** Shown beside the step name. */
  detail: string;
  /** The process prints the step's outputs as one JSON object on stdout instead of log lines. */
  outputsOnStdout?: boolean;
}

export interface StepHook {
  /** Does this hook concern the action? */
  matches(action: NodeAction): boolean;
  /** Replace the command that runs the action's main entry point (undefined: run it as usual). */
  command?(context: StepHookContext): StepCommand | undefined;
  /** After the main step ran: e.g. point the session summary at a run record the step wrote. */
  after?(
    context: StepHookContext & {
      outputs: Record<string, string>;
      addRecord: (record: { runId: string; path: string }) => void;
    },
  ): void;
}
