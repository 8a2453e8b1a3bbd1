/**
 * Where telemetry goes, from the standard OpenTelemetry variables or record-run's inputs (inputs
 * win). This file is imported by record-run's post step on every run, so it holds only the
 * cheap check; the encoders and senders load on demand when an endpoint is set.
 */
import type { TelemetryInputs } from '../runs/start-run.js';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface TelemetryConfig {
  traces?: { url: string; headers: Record<string, string>; protocol: OtlpProtocol } | undefined;
  loki?: { url: string; headers: Record<string, string> } | undefined;
  /** Every export together must finish within this; then it is abandoned with a warning. */
  timeoutMs: number;
  problems: string[];
}

/** `k1=v1,k2=v2` with URL-encoded values, as OTEL_EXPORTER_OTLP_HEADERS is specified. */
export function parseHeaderList(value: string | undefined, problems: string[], name: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const part of (value ?? '').split(',')) {
    if (part.trim() === '') continue;
    const at = part.indexOf('=');
    if (at <= 0) {
      problems.push(`${name}: '${part.trim().slice(0, 40)}' is not key=value; ignored`);
      continue;
    }
    try {
      headers[part.slice(0, at).trim().toLowerCase()] = decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      headers[part.slice(0, at).trim().toLowerCase()] = part.slice(at + 1).trim();
    }
  }
  return headers;
}

export function readTelemetryConfig(env: NodeJS.ProcessEnv, inputs: TelemetryInputs = {}): TelemetryConfig {
  const problems: string[] = [];
  let tracesUrl: string | undefined;
  if (inputs.otlpEndpoint) tracesUrl = signalUrl(inputs.otlpEndpoint);
  else if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) tracesUrl = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  else if (env.OTEL_EXPORTER_OTLP_ENDPOINT) tracesUrl = signalUrl(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  const rawProtocol =
    inputs.otlpProtocol || env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf';
  let protocol: OtlpProtocol = 'http/protobuf';
  if (rawProtocol === 'http/json' || rawProtocol === 'http/protobuf') protocol = rawProtocol;
  else
    problems.push(
      `OTEL_EXPORTER_OTLP_PROTOCOL '${rawProtocol}' is not supported (http/protobuf or http/json); using http/protobuf`,
    );
  const headers = {
    ...parseHeaderList(env.OTEL_EXPORTER_OTLP_HEADERS, problems, 'OTEL_EXPORTER_OTLP_HEADERS'),
    ...parseHeaderList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, problems, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
    ...parseHeaderList(inputs.otlpHeaders, problems, "input 'otlp-headers'"),
  };
  const lokiBase = inputs.lokiUrl || env.AUTOSTACK_LOKI_URL;
  const timeout = Number(env.AUTOSTACK_TELEMETRY_TIMEOUT_MS ?? 5000);
  return {
    traces: tracesUrl ? { url: tracesUrl, headers, protocol } : undefined,
    loki: lokiBase
      ? {
          url: lokiBase.includes('/loki/api/v1/push') ? lokiBase : `${lokiBase.replace(/\/+$/, '')}/loki/api/v1/push`,
          headers: {
            ...parseHeaderList(env.AUTOSTACK_LOKI_HEADERS, problems, 'AUTOSTACK_LOKI_HEADERS'),
            ...parseHeaderList(inputs.lokiHeaders, problems, "input 'loki-headers'"),
          },
        }
      : undefined,
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? Math.min(timeout, 60_000) : 5000,
    problems,
  };
}

/** OTEL_EXPORTER_OTLP_ENDPOINT is a base URL: the traces signal lives under /v1/traces. */
function signalUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

export function telemetryWanted(config: TelemetryConfig): boolean {
  return Boolean(config.traces || config.loki);
}
