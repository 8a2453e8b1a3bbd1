import type { Log } from '../io/io.js';
import type { RunRecord } from '../runs/record.js';
import { errorMessage } from '../shared/errors.js';
import { redact, redactDeep } from '../shared/redact.js';
import type { TelemetryConfig } from './config.js';
import { lokiPushBody } from './loki.js';
import { encodeTraceJson, encodeTraceProtobuf } from './otlp-encode.js';
import { buildTrace } from './spans.js';

export const AUTOSTACK_VERSION = '0.1.0';

/**
 * Sends the run to the configured OTLP and Loki endpoints. Telemetry is a sink: everything is
 * redacted first, a failure is a warning and never fails the run, and all sends together are
 * abandoned after `config.timeoutMs` (one retry of a 429/5xx if time allows).
 */
export async function exportTelemetry(
  record: RunRecord,
  config: TelemetryConfig,
  log: Log,
): Promise<{ traces?: boolean; loki?: boolean }> {
  for (const problem of config.problems) log.warning(`record-run telemetry: ${problem}`);
  const clean = redactDeep(record);
  const deadline = Date.now() + config.timeoutMs;
  const result: { traces?: boolean; loki?: boolean } = {};
  const sends: Array<Promise<void>> = [];
  if (config.traces) {
    const traces = config.traces;
    const trace = buildTrace(clean, AUTOSTACK_VERSION);
    const json = traces.protocol === 'http/json';
    const body = json ? encodeTraceJson(trace) : encodeTraceProtobuf(trace);
    sends.push(
      send(
        'OTLP traces',
        traces.url,
        body,
        { 'content-type': json ? 'application/json' : 'application/x-protobuf', ...traces.headers },
        deadline,
        log,
      ).then((ok) => {
        result.traces = ok;
      }),
    );
  }
  if (config.loki) {
    const loki = config.loki;
    sends.push(
      send(
        'Loki',
        loki.url,
        lokiPushBody(clean),
        { 'content-type': 'application/json', ...loki.headers },
        deadline,
        log,
      ).then((ok) => {
        result.loki = ok;
      }),
    );
  }
  await Promise.all(sends);
  return result;
}

async function send(
  what: string,
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
  deadline: number,
  log: Log,
): Promise<boolean> {
  const where = redact(url.replace(/\/\/[^@/]*@/, '//***@'));
  for (let attempt = 1; attempt <= 2; attempt++) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    try {
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(left) });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) {
        log.info(`record-run: exported the run to ${what} at ${where}`);
        return true;
      }
      const retryable = response.status === 429 || response.status >= 500;
      if (!retryable || attempt === 2) {
        log.warning(`record-run: ${what} export to ${where} failed: HTTP ${response.status}; the run is unaffected.`);
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(500, Math.max(0, deadline - Date.now()))));
    } catch (error) {
      if (attempt === 2 || Date.now() >= deadline) {
        log.warning(
          `record-run: ${what} export to ${where} failed: ${redact(errorMessage(error))}; the run is unaffected.`,
        );
        return false;
      }
    }
  }
  log.warning(
    `record-run: ${what} export to ${where} gave up after the ${Math.round((deadline - Date.now() + 1) / 1000)} s budget; the run is unaffected.`,
  );
  return false;
}
