import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunRecord } from '../../src/runs/record.js';
import { journalEventSchema } from '../../src/runs/journal-schema.js';
import { lokiPushBody } from '../../src/telemetry/loki.js';
import { buildTrace } from '../../src/telemetry/spans.js';
import { REPO_ROOT } from '../harness/job.js';

/**
 * The Grafana dashboard (grafana/autostack-dashboard.json) cannot be loaded into a Grafana here,
 * so it is held to what autostack sends: every label, metadata key, event type, unwrapped field
 * and span attribute its queries name must be one the Loki and OTLP exporters produce, and it
 * must have the HTML report's panels.
 */
interface Panel {
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ expr?: string; query?: string }>;
}
const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, 'grafana', 'autostack-dashboard.json'), 'utf8')) as {
  panels: Panel[];
};

const STARTED = '2026-12-01T10:00:00.000Z';
const record = {
  schema: 'autostack.run-record/v1',
  runId: 'r1',
  name: 'triage',
  status: 'failure',
  statusSource: 'journal',
  startedAt: STARTED,
  endedAt: '2026-12-01T10:00:05.000Z',
  durationMs: 5000,
  github: { repository: 'octo/repo', runId: '42', runAttempt: '1', workflow: 'Triage' },
  trigger: { event: 'push' },
  steps: [{ id: 's1', name: 'classify', status: 'failure', startedAt: STARTED, durationMs: 4000 }],
  totals: {
    modelCalls: 1,
    inputTokens: 10,
    outputTokens: 2,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd: 0.01,
    toolCalls: 0,
    eventsPublished: 0,
  },
  systemsTouched: [],
  humanIntervened: true,
  interventions: ['mona: approved'],
  errors: [{ step: 's1', message: 'boom' }],
  outputs: {},
  journal: { path: 'j', events: 3, corruptLines: [] },
  events: [
    { v: 1, ts: STARTED, run: 'r1', type: 'run.started', name: 'triage' },
    {
      v: 1,
      ts: STARTED,
      run: 'r1',
      step: 's1',
      type: 'model.call',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      inputTokens: 10,
      outputTokens: 2,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: 0.01,
      latencyMs: 100,
      retries: 0,
      cacheHit: false,
    },
    { v: 1, ts: STARTED, run: 'r1', step: 's1', type: 'step.finished', status: 'failure', error: 'boom' },
  ],
} as unknown as RunRecord;

const queries = (kind: 'loki' | 'tempo'): string[] =>
  dashboard.panels
    .filter((panel) => (kind === 'tempo') === (panel.type === 'traces' || /span\./.test(JSON.stringify(panel))))
    .flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? target.query ?? ''));

test('the Grafana dashboard has the panels of the HTML report', () => {
  const titles = dashboard.panels.map((panel) => panel.title.toLowerCase());
  for (const wanted of [
    'runs per hour',
    'error rate by automation',
    'p95',
    'cost by automation',
    'cost by model',
    'tokens',
    'needed a human',
    'recent failures',
    'drill-down',
  ])
    assert.ok(
      titles.some((title) => title.includes(wanted)),
      `a panel for '${wanted}' (have: ${titles.join('; ')})`,
    );
});

test('its Loki queries name only labels, metadata, event types and fields the exporter sends', () => {
  const push = JSON.parse(lokiPushBody(record)) as {
    streams: Array<{ stream: Record<string, string>; values: Array<[string, string, Record<string, string>]> }>;
  };
  const labels = new Set(Object.keys(push.streams[0]?.stream ?? {}));
  const metadata = new Set(push.streams[0]?.values.flatMap(([, , meta]) => Object.keys(meta)));
  const eventTypes = new Set(journalEventSchema.def.options.map((option) => option.shape.type.def.values[0] as string));
  const modelCallFields = new Set(Object.keys(record.events[1] ?? {}));
  const loki = queries('loki');
  assert.ok(loki.length >= 6, 'the Loki panels have queries');
  for (const query of loki) {
    for (const selector of query.matchAll(/\{([^}]*)\}/g))
      for (const [, label] of (selector[1] ?? '').matchAll(/(\w+)\s*!?=/g))
        assert.ok(labels.has(label ?? ''), `label '${label}' in ${query} is one the exporter sets`);
    for (const [, type] of query.matchAll(/event_type="([^"]+)"/g))
      assert.ok(eventTypes.has(type ?? ''), `event type '${type}' in ${query} is a journal event`);
    assert.ok(!/event_type/.test(query) || metadata.has('event_type'), 'event_type is structured metadata');
    for (const [, field] of query.matchAll(/unwrap (\w+)/g))
      assert.ok(modelCallFields.has(field ?? ''), `unwrapped '${field}' is a field of model.call`);
    for (const [, by] of query.matchAll(/by \(([\w, ]+)\)/g))
      for (const name of (by ?? '').split(',').map((part) => part.trim()))
        assert.ok(
          labels.has(name) || modelCallFields.has(name),
          `grouped by '${name}': a label or a parsed field (${query})`,
        );
  }
});

test('its trace queries name only span attributes the OTLP exporter sets', () => {
  const trace = buildTrace(record, '0.0.0-test');
  const spanKeys = new Set(trace.spans.flatMap((span) => span.attributes.map((attribute) => attribute.key)));
  const resourceKeys = new Set(trace.resource.map((attribute) => attribute.key));
  const tempo = queries('tempo');
  assert.ok(tempo.length >= 2, 'the trace panels have queries');
  for (const query of tempo) {
    for (const [, key] of query.matchAll(/span\.([\w.]+)/g))
      assert.ok(spanKeys.has(key ?? ''), `span attribute '${key}' in ${query} is set`);
    for (const [, key] of query.matchAll(/resource\.([\w.]+)/g))
      assert.ok(resourceKeys.has(key ?? ''), `resource attribute '${key}' in ${query} is set`);
  }
  const root = trace.spans.find((span) => span.name === 'triage');
  assert.equal(root?.attributes.find((attribute) => attribute.key === 'cicd.pipeline.result')?.value, 'failure');
});
