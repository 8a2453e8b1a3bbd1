import { createHash } from 'node:crypto';
import type { RunRecord } from '../runs/record.js';
import type { JournalEvent } from '../runs/journal.js';
import { parseTraceparent } from '../events/cloud-event.js';

/**
 * The run as a trace: one root span for the run, a child span per step, a span per model call
 * under its step. Names follow the OpenTelemetry CI/CD and GenAI semantic conventions; what
 * they have no name for goes under `autostack.*`.
 */
export type AttributeValue = string | number | boolean | string[];
export interface Attribute {
  key: string;
  value: AttributeValue;
  /** Integers are sent as OTLP intValue, others as doubleValue. */
  int?: boolean;
}

export interface SpanData {
  traceId: string;
  spanId: string;
  parentSpanId?: string | undefined;
  name: string;
  /** 1 INTERNAL, 3 CLIENT. */
  kind: 1 | 3;
  startNs: bigint;
  endNs: bigint;
  attributes: Attribute[];
  links: Array<{ traceId: string; spanId: string; attributes: Attribute[] }>;
  /** 0 UNSET, 1 OK, 2 ERROR. */
  status: { code: 0 | 1 | 2; message?: string | undefined };
}

export interface TraceData {
  resource: Attribute[];
  scope: { name: string; version: string };
  spans: SpanData[];
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex');
const toNs = (iso: string | undefined, fallback: bigint): bigint => {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(ms) ? fallback : BigInt(ms) * 1_000_000n;
};

/** Deterministic: a re-export of the same run (same repository, run id, attempt) is the same trace. */
export function traceIdFor(record: Pick<RunRecord, 'runId' | 'github'>): string {
  const { repository, runId, runAttempt } = record.github;
  const key =
    repository && runId ? `${repository}\u0000${runId}\u0000${runAttempt ?? '1'}` : `local\u0000${record.runId}`;
  return hash(`autostack-trace\u0000${key}`).slice(0, 32);
}

const spanIdFor = (traceId: string, what: string) => hash(`${traceId}\u0000${what}`).slice(0, 16);

function attrs(entries: Record<string, AttributeValue | undefined>, ints: string[] = []): Attribute[] {
  return Object.entries(entries)
    .filter((entry): entry is [string, AttributeValue] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => ({ key, value, ...(ints.includes(key) ? { int: true } : {}) }));
}

const RESULT: Record<string, string> = {
  success: 'success',
  failure: 'failure',
  cancelled: 'cancellation',
  skipped: 'skip',
  interrupted: 'error',
  running: 'error',
};

export function buildTrace(record: RunRecord, version: string): TraceData {
  const traceId = traceIdFor(record);
  const rootId = spanIdFor(traceId, `run\u0000${record.runId}`);
  const end = toNs(record.endedAt, 0n);
  const start = toNs(record.startedAt, end);
  const promptVersion = promptVersionsByStep(record);
  const spans: SpanData[] = [rootSpan(record, traceId, rootId, start, end)];
  for (const step of record.steps) spans.push(stepSpan(step, traceId, rootId, start, end, promptVersion));
  record.events.forEach((event, index) => {
    if (event.type === 'model.call') spans.push(modelSpan(event, index, traceId, rootId, record, promptVersion));
  });
  return {
    resource: attrs({
      'service.name': 'autostack',
      'service.version': version,
      'cicd.pipeline.name': record.github.workflow ?? record.name,
      'vcs.repository.name': record.github.repository,
    }),
    scope: { name: 'autostack.record-run', version },
    spans,
  };
}

/** The prompt version each step logged (the last one wins), by step id. */
function promptVersionsByStep(record: RunRecord): Map<string, string> {
  const promptVersion = new Map<string, string>();
  for (const event of record.events) {
    if (event.type === 'log' && event.step && typeof event.data === 'object' && event.data !== null) {
      const version = (event.data as { promptVersion?: unknown }).promptVersion;
      if (typeof version === 'string') promptVersion.set(event.step, version);
    }
  }
  return promptVersion;
}

/** The run's root span, linked to the span of the event that triggered it when there is one. */
function rootSpan(record: RunRecord, traceId: string, rootId: string, start: bigint, end: bigint): SpanData {
  const parent = parseTraceparent(
    typeof record.trigger.traceparent === 'string' ? record.trigger.traceparent : undefined,
  );
  return {
    traceId,
    spanId: rootId,
    name: record.name,
    kind: 1,
    startNs: start,
    endNs: end,
    attributes: attrs(
      {
        'cicd.pipeline.name': record.github.workflow ?? record.name,
        'cicd.pipeline.run.id': record.github.runId ?? record.runId,
        'cicd.pipeline.run.url.full': record.github.runUrl,
        'cicd.pipeline.result': RESULT[record.status] ?? record.status,
        'cicd.pipeline.action.name': 'RUN',
        'vcs.repository.name': record.github.repository,
        'vcs.ref.head.revision': record.github.sha,
        'autostack.run.id': record.runId,
        'autostack.automation': record.name,
        'autostack.run.attempt': Number(record.github.runAttempt ?? '1'),
        'autostack.trigger.event': typeof record.trigger.event === 'string' ? record.trigger.event : undefined,
        'autostack.parent.run.id':
          typeof record.trigger.parentRunId === 'string' ? record.trigger.parentRunId : undefined,
        'autostack.cost_usd': record.totals.costUsd,
        'autostack.model_calls': record.totals.modelCalls,
        'autostack.human_intervened': record.humanIntervened,
        'autostack.interventions': record.interventions.length > 0 ? record.interventions : undefined,
        'autostack.systems_touched':
          record.systemsTouched.length > 0
            ? record.systemsTouched.map((system) => `${system.system} ${system.target}`)
            : undefined,
      },
      ['autostack.run.attempt', 'autostack.model_calls'],
    ),
    links: parent
      ? [
          {
            traceId: parent.traceId,
            spanId: parent.spanId,
            attributes: attrs({
              'autostack.link': 'triggered-by',
              'autostack.event.id': typeof record.trigger.eventId === 'string' ? record.trigger.eventId : undefined,
            }),
          },
        ]
      : [],
    status:
      record.status === 'success' ? { code: 0 } : { code: 2, message: record.errors[0]?.message ?? record.status },
  };
}

/** A step's span under the root; a step with no duration ends with the run. */
function stepSpan(
  step: RunRecord['steps'][number],
  traceId: string,
  rootId: string,
  start: bigint,
  end: bigint,
  promptVersion: Map<string, string>,
): SpanData {
  const stepStart = toNs(step.startedAt, start);
  return {
    traceId,
    spanId: spanIdFor(traceId, `step\u0000${step.id}`),
    parentSpanId: rootId,
    name: step.name,
    kind: 1,
    startNs: stepStart,
    endNs: step.durationMs !== undefined ? stepStart + BigInt(Math.round(step.durationMs)) * 1_000_000n : end,
    attributes: attrs({
      'cicd.pipeline.task.name': step.name,
      'cicd.pipeline.task.run.id': step.id,
      'cicd.pipeline.task.run.result': RESULT[step.status] ?? step.status,
      'cicd.pipeline.task.type': step.action,
      'autostack.inputs_fingerprint': step.inputFingerprint,
      'autostack.prompt.version': promptVersion.get(step.id),
    }),
    links: [],
    status:
      step.status === 'failure' || step.status === 'interrupted'
        ? { code: 2, message: step.error ?? step.status }
        : { code: 0 },
  };
}

function modelSpan(
  event: Extract<JournalEvent, { type: 'model.call' }>,
  index: number,
  traceId: string,
  rootId: string,
  record: RunRecord,
  promptVersion: Map<string, string>,
): SpanData {
  const endNs = toNs(event.ts, 0n);
  const parentSpanId =
    event.step && record.steps.some((step) => step.id === event.step)
      ? spanIdFor(traceId, `step\u0000${event.step}`)
      : rootId;
  return {
    traceId,
    spanId: spanIdFor(traceId, `model\u0000${index}`),
    parentSpanId,
    name: `chat ${event.model}`,
    kind: 3,
    startNs: endNs - BigInt(Math.round(event.latencyMs)) * 1_000_000n,
    endNs,
    attributes: attrs(
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': event.provider,
        'gen_ai.request.model': event.model,
        'gen_ai.response.model': event.model,
        'gen_ai.usage.input_tokens': event.inputTokens,
        'gen_ai.usage.output_tokens': event.outputTokens,
        'gen_ai.usage.cache_read.input_tokens': event.cacheReadTokens,
        'gen_ai.usage.cache_creation.input_tokens': event.cacheWriteTokens,
        'gen_ai.response.finish_reasons': event.stopReason ? [event.stopReason] : undefined,
        'autostack.cost_usd': event.costUsd,
        'autostack.fingerprint': event.fingerprint,
        'autostack.prompt.version': event.step ? promptVersion.get(event.step) : undefined,
        'autostack.cache_hit': event.cacheHit,
        'autostack.retries': event.retries,
      },
      [
        'gen_ai.usage.input_tokens',
        'gen_ai.usage.output_tokens',
        'gen_ai.usage.cache_read.input_tokens',
        'gen_ai.usage.cache_creation.input_tokens',
        'autostack.retries',
      ],
    ),
    links: [],
    status: { code: 0 },
  };
}
