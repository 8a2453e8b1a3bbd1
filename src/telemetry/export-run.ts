import type { StepIo } from '../io/io.js';
import type { RunRecord } from '../runs/record.js';
import type { TelemetryInputs } from '../runs/start-run.js';
import { errorMessage } from '../shared/errors.js';
import { readTelemetryConfig, telemetryWanted } from './config.js';

/**
 * Exports a finished run when an endpoint is configured. Called by the composition roots (the
 * post step, `autostack record-run finish`); the encoders load only when there is somewhere to send.
 * A failed export is a warning: the run's outcome never depends on its telemetry.
 */
export async function exportRunIfConfigured(
  record: RunRecord,
  inputs: TelemetryInputs | undefined,
  io: StepIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const telemetry = readTelemetryConfig(env, inputs);
  if (!telemetryWanted(telemetry)) return;
  try {
    const { exportTelemetry } = await import('./export.js');
    await exportTelemetry(record, telemetry, io);
  } catch (error) {
    io.warning(`record-run: telemetry export failed: ${errorMessage(error)}; the run is unaffected.`);
  }
}
