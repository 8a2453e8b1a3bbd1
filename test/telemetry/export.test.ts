import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import protobuf from 'protobufjs';
import { Job } from '../harness/job.js';

// The official OTLP definitions, as shipped in an npm package (see docs/observability.md).
const require = createRequire(import.meta.url);
const PROTOS = join(
  dirname(require.resolve('@opentelemetry/exporter-collector-proto/package.json')),
  'build',
  'protos',
);

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

let server: Server;
let url: string;
const received: Received[] = [];
let ExportRequest: protobuf.Type;

before(async () => {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTOS, target);
  await root.load('opentelemetry/proto/collector/trace/v1/trace_service.proto', { keepCase: false });
  ExportRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      if (req.url?.startsWith('/slow')) return; // never answers: the export must give up in time
      res.writeHead(req.url?.startsWith('/loki') ? 204 : 200, { 'content-type': 'application/json' });
      res.end(req.url?.startsWith('/loki') ? undefined : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const MODEL_CALL = (step: string) =>
  JSON.stringify({
    v: 1,
    ts: new Date().toISOString(),
    run: '$AUTOSTACK_RUN_ID',
    step,
    type: 'model.call',
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    inputTokens: 1200,
    outputTokens: 80,
    cacheReadTokens: 300,
    cacheWriteTokens: 0,
    costUsd: 0.0048,
    latencyMs: 900,
    fingerprint: 'fp-abc',
    stopReason: 'end_turn',
    retries: 0,
    cacheHit: false,
  });

async function recordedRun(
  env: Record<string, string>,
  inputs: Record<string, string> = {},
  eventPayload?: Record<string, unknown>,
) {
  const job = new Job({
    env: { GITHUB_RUN_ID: '777', ...env },
    eventName: eventPayload ? 'repository_dispatch' : 'push',
    ...(eventPayload ? { eventPayload } : {}),
  });
  const start = await job.uses('actions/record-run', {
    name: 'triage',
    artifact: 'false',
    summary: 'false',
    'github-token': '',
    ...inputs,
  });
  assert.equal(start.exitCode, 0, start.stderr);
  // The step's own id reaches its command as AUTOSTACK_STEP_ID, as it reaches run-prompt inside a step.
  const line = MODEL_CALL('STEP_ID').replace('$AUTOSTACK_RUN_ID', start.outputs['run-id'] ?? '');
  await job.cli([
    'step',
    '--name',
    'classify',
    '--',
    'bash',
    '-c',
    `echo '${line}' | sed "s/STEP_ID/$AUTOSTACK_STEP_ID/" >> "$AUTOSTACK_JOURNAL"`,
  ]);
  await job.cli(['step', '--name', 'ship', '--', 'false']);
  const [post] = await job.complete();
  assert.ok(post);
  return { runId: start.outputs['run-id'] ?? '', post };
}

type Attr = { key: string; value: Record<string, unknown> };
const attr = (attributes: Attr[] | undefined, key: string) => {
  const value = attributes?.find((entry) => entry.key === key)?.value;
  if (!value) return undefined;
  if ('arrayValue' in value)
    return ((value.arrayValue as { values: Array<{ stringValue: string }> }).values ?? []).map(
      (item) => item.stringValue,
    );
  return Object.values(value)[0];
};

test('http/protobuf: run, step and model-call spans decode with the official OTLP protos; a dispatched run links to its parent', async () => {
  received.length = 0;
  const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const { runId, post } = await recordedRun(
    { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=sekr3t%20value' },
    {},
    {
      event_type: 'com.example.triaged',
      client_payload: {
        autostack: {
          id: 'evt-1',
          type: 'com.example.triaged',
          autostackrunid: 'parent-run',
          traceparent: parent,
          autostackhop: 1,
        },
      },
    },
  );
  assert.equal(post.exitCode, 0, post.stderr);
  const request = received.find((entry) => entry.path === '/v1/traces');
  assert.ok(request, 'traces posted to <endpoint>/v1/traces');
  assert.equal(request.headers['content-type'], 'application/x-protobuf');
  assert.equal(request.headers['x-api-key'], 'sekr3t value');
  // ::add-mask:: lines are commands the runner consumes and never shows; everything else is output.
  assert.doesNotMatch((post.stdout + post.stderr).replace(/^::add-mask::.*$/gm, ''), /sekr3t/);
  const decoded = ExportRequest.toObject(ExportRequest.decode(request.body), {
    longs: String,
    bytes: String,
    defaults: false,
  }) as {
    resourceSpans: Array<{
      resource: { attributes: Attr[] };
      instrumentationLibrarySpans: Array<{ spans: Array<Record<string, unknown> & { attributes: Attr[] }> }>;
    }>;
  };
  const spans = decoded.resourceSpans[0]?.instrumentationLibrarySpans[0]?.spans ?? [];
  const hex = (value: unknown) => Buffer.from(String(value), 'base64').toString('hex');
  const root = spans.find((span) => span.name === 'triage');
  assert.ok(root);
  assert.equal(root.parentSpanId, undefined);
  assert.equal(attr(root.attributes, 'cicd.pipeline.run.id'), '777');
  assert.equal(attr(root.attributes, 'cicd.pipeline.result'), 'failure');
  assert.equal(
    attr(root.attributes, 'cicd.pipeline.run.url.full'),
    'https://github.com/octo-org/octo-repo/actions/runs/777/attempts/1',
  );
  assert.equal(attr(root.attributes, 'autostack.run.id'), runId);
  assert.equal(attr(root.attributes, 'autostack.parent.run.id'), 'parent-run');
  const links = root.links as Array<{ traceId: string; spanId: string }>;
  assert.equal(hex(links[0]?.traceId), '0af7651916cd43dd8448eb211c80319c');
  assert.equal(hex(links[0]?.spanId), 'b7ad6b7169203331');
  const ship = spans.find((span) => span.name === 'ship');
  assert.equal(hex(ship?.parentSpanId), hex(root.spanId));
  assert.equal(attr(ship?.attributes, 'cicd.pipeline.task.run.result'), 'failure');
  assert.equal((ship?.status as { code?: number }).code, 2);
  const classify = spans.find((span) => span.name === 'classify');
  const model = spans.find((span) => span.name === 'chat claude-sonnet-4-5');
  assert.ok(model && classify);
  assert.equal(hex(model.parentSpanId), hex(classify.spanId));
  assert.equal(attr(model.attributes, 'gen_ai.provider.name'), 'anthropic');
  assert.equal(attr(model.attributes, 'gen_ai.request.model'), 'claude-sonnet-4-5');
  assert.equal(attr(model.attributes, 'gen_ai.usage.input_tokens'), '1200');
  assert.equal(attr(model.attributes, 'gen_ai.usage.output_tokens'), '80');
  assert.equal(attr(model.attributes, 'gen_ai.usage.cache_read.input_tokens'), '300');
  assert.deepEqual(attr(model.attributes, 'gen_ai.response.finish_reasons'), ['end_turn']);
  assert.equal(attr(model.attributes, 'autostack.cost_usd'), 0.0048);
  assert.equal(BigInt(String(model.endTimeUnixNano)) - BigInt(String(model.startTimeUnixNano)), 900_000_000n);
  // Deterministic: every span shares the trace id derived from repository, run id and attempt.
  assert.equal(new Set(spans.map((span) => hex(span.traceId))).size, 1);
});

test('http/json (input) and Loki: spans as OTLP JSON, journal lines with few labels and structured metadata', async () => {
  received.length = 0;
  const { runId, post } = await recordedRun(
    { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    { 'otlp-endpoint': `${url}/otlp`, 'loki-url': `${url}/loki`, 'loki-headers': 'X-Scope-OrgID=team-a' },
  );
  assert.equal(post.exitCode, 0, post.stderr);
  const traces = received.find((entry) => entry.path === '/otlp/v1/traces');
  assert.ok(traces);
  assert.equal(traces.headers['content-type'], 'application/json');
  const body = JSON.parse(traces.body.toString()) as {
    resourceSpans: Array<{
      scopeSpans: Array<{ spans: Array<{ name: string; traceId: string; parentSpanId?: string; attributes: Attr[] }> }>;
    }>;
  };
  const spans = body.resourceSpans[0]?.scopeSpans[0]?.spans ?? [];
  assert.deepEqual(spans.map((span) => span.name).sort(), ['chat claude-sonnet-4-5', 'classify', 'ship', 'triage']);
  assert.match(spans[0]?.traceId ?? '', /^[0-9a-f]{32}$/);
  const model = spans.find((span) => span.name.startsWith('chat'));
  assert.deepEqual(model?.attributes.find((entry) => entry.key === 'gen_ai.usage.input_tokens')?.value, {
    intValue: '1200',
  });

  const loki = received.find((entry) => entry.path === '/loki/loki/api/v1/push');
  assert.ok(loki);
  assert.equal(loki.headers['x-scope-orgid'], 'team-a');
  const push = JSON.parse(loki.body.toString()) as {
    streams: Array<{ stream: Record<string, string>; values: Array<[string, string, Record<string, string>]> }>;
  };
  assert.deepEqual(push.streams[0]?.stream, {
    service_name: 'autostack',
    automation: 'triage',
    status: 'failure',
    repository: 'octo-org/octo-repo',
  });
  const values = push.streams[0]?.values ?? [];
  const types = values.map((value) => JSON.parse(value[1]).type as string);
  assert.ok(types.includes('run.started') && types.includes('model.call') && types.includes('step.finished'));
  assert.ok(
    values.every(
      (value) => /^\d{19}$/.test(value[0]) && value[2].run_id === runId && value[2].trace_id === spans[0]?.traceId,
    ),
  );
});

test('an endpoint that never answers is a warning within the time bound, not a failed post step', async () => {
  received.length = 0;
  const started = Date.now();
  const { post } = await recordedRun({
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${url}/slow`,
    AUTOSTACK_TELEMETRY_TIMEOUT_MS: '1500',
  });
  assert.equal(post.exitCode, 0, post.stderr);
  assert.ok(Date.now() - started < 15_000);
  assert.ok(
    post.warnings.some((warning) => /OTLP traces export .* failed|gave up/.test(warning)),
    post.stdout,
  );
});
