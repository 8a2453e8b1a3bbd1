import type { Attribute, SpanData, TraceData } from './spans.js';

/**
 * ExportTraceServiceRequest in both OTLP/HTTP encodings, written by hand from the documented
 * messages (opentelemetry-proto trace/v1, common/v1, resource/v1). Only the fields we send
 * are encoded; the field numbers below are the proto's. See docs/observability.md for why this
 * beats loading the OpenTelemetry SDK in the post step.
 */

// ---- OTLP/JSON: lowerCamelCase names, trace/span ids as hex, 64-bit integers as strings ----

function jsonValue(attribute: Attribute): Record<string, unknown> {
  const { value } = attribute;
  if (Array.isArray(value)) return { arrayValue: { values: value.map((item) => ({ stringValue: item })) } };
  if (typeof value === 'boolean') return { boolValue: value };
  if (typeof value === 'number')
    return attribute.int && Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
  return { stringValue: value };
}

const jsonAttributes = (attributes: Attribute[]) =>
  attributes.map((attribute) => ({ key: attribute.key, value: jsonValue(attribute) }));

export function encodeTraceJson(trace: TraceData): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: jsonAttributes(trace.resource) },
        scopeSpans: [
          {
            scope: trace.scope,
            spans: trace.spans.map((span) => ({
              traceId: span.traceId,
              spanId: span.spanId,
              ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
              name: span.name,
              kind: span.kind,
              startTimeUnixNano: span.startNs.toString(),
              endTimeUnixNano: span.endNs.toString(),
              attributes: jsonAttributes(span.attributes),
              links: span.links.map((link) => ({
                traceId: link.traceId,
                spanId: link.spanId,
                attributes: jsonAttributes(link.attributes),
              })),
              status: { code: span.status.code, ...(span.status.message ? { message: span.status.message } : {}) },
            })),
          },
        ],
      },
    ],
  });
}

// ---- OTLP/protobuf: a minimal proto3 writer (varint, fixed64, double, length-delimited) ----

class Writer {
  private readonly parts: Buffer[] = [];
  private size = 0;
  private push(buffer: Buffer): void {
    this.parts.push(buffer);
    this.size += buffer.length;
  }
  private varint(value: bigint): void {
    const bytes: number[] = [];
    let rest = BigInt.asUintN(64, value);
    while (rest >= 0x80n) {
      bytes.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    bytes.push(Number(rest));
    this.push(Buffer.from(bytes));
  }
  private tag(field: number, wireType: number): void {
    this.varint(BigInt((field << 3) | wireType));
  }
  uint(field: number, value: number | bigint): this {
    if (value === 0 || value === 0n) return this;
    this.tag(field, 0);
    this.varint(BigInt(value));
    return this;
  }
  bool(field: number, value: boolean): this {
    this.tag(field, 0);
    this.varint(value ? 1n : 0n);
    return this;
  }
  fixed64(field: number, value: bigint): this {
    this.tag(field, 1);
    const buffer = Buffer.alloc(8);
    buffer.writeBigUInt64LE(BigInt.asUintN(64, value));
    this.push(buffer);
    return this;
  }
  double(field: number, value: number): this {
    this.tag(field, 1);
    const buffer = Buffer.alloc(8);
    buffer.writeDoubleLE(value);
    this.push(buffer);
    return this;
  }
  bytes(field: number, value: Buffer): this {
    if (value.length === 0) return this;
    this.tag(field, 2);
    this.varint(BigInt(value.length));
    this.push(value);
    return this;
  }
  string(field: number, value: string | undefined): this {
    return value ? this.bytes(field, Buffer.from(value, 'utf8')) : this;
  }
  /** An embedded message, even when empty (presence matters for `value`). */
  message(field: number, build: (writer: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    const bytes = inner.finish();
    this.tag(field, 2);
    this.varint(BigInt(bytes.length));
    this.push(bytes);
    return this;
  }
  finish(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}

/** AnyValue: string_value 1, bool_value 2, int_value 3, double_value 4, array_value 5 (ArrayValue.values 1). */
function writeAnyValue(writer: Writer, attribute: Attribute): void {
  const { value } = attribute;
  if (Array.isArray(value))
    writer.message(5, (array) =>
      value.forEach((item) => array.message(1, (inner) => inner.bytes(1, Buffer.from(item, 'utf8')))),
    );
  else if (typeof value === 'boolean') writer.bool(2, value);
  else if (typeof value === 'number' && attribute.int && Number.isInteger(value)) {
    writer.uint(3, BigInt(value));
    // int_value 0 must still be present: write the tag with a zero varint.
    if (value === 0) writer.bool(3, false);
  } else if (typeof value === 'number') writer.double(4, value);
  else writer.bytes(1, Buffer.from(value, 'utf8'));
}

/** KeyValue: key 1, value 2. */
function writeAttributes(writer: Writer, field: number, attributes: Attribute[]): void {
  for (const attribute of attributes)
    writer.message(field, (kv) => kv.string(1, attribute.key).message(2, (any) => writeAnyValue(any, attribute)));
}

/** Span: trace_id 1, span_id 2, parent_span_id 4, name 5, kind 6, start 7, end 8, attributes 9, links 13, status 15. */
function writeSpan(writer: Writer, span: SpanData): void {
  writer
    .bytes(1, Buffer.from(span.traceId, 'hex'))
    .bytes(2, Buffer.from(span.spanId, 'hex'))
    .bytes(4, Buffer.from(span.parentSpanId ?? '', 'hex'))
    .string(5, span.name)
    .uint(6, span.kind)
    .fixed64(7, span.startNs)
    .fixed64(8, span.endNs);
  writeAttributes(writer, 9, span.attributes);
  // Link: trace_id 1, span_id 2, attributes 4.
  for (const link of span.links) {
    writer.message(13, (inner) => {
      inner.bytes(1, Buffer.from(link.traceId, 'hex')).bytes(2, Buffer.from(link.spanId, 'hex'));
      writeAttributes(inner, 4, link.attributes);
    });
  }
  // Status: message 2, code 3.
  writer.message(15, (status) => status.string(2, span.status.message).uint(3, span.status.code));
}

/** ExportTraceServiceRequest.resource_spans 1 → ResourceSpans{resource 1, scope_spans 2} → ScopeSpans{scope 1, spans 2}. */
export function encodeTraceProtobuf(trace: TraceData): Buffer {
  return new Writer()
    .message(1, (resourceSpans) => {
      resourceSpans.message(1, (resource) => writeAttributes(resource, 1, trace.resource));
      resourceSpans.message(2, (scopeSpans) => {
        scopeSpans.message(1, (scope) => scope.string(1, trace.scope.name).string(2, trace.scope.version));
        for (const span of trace.spans) scopeSpans.message(2, (inner) => writeSpan(inner, span));
      });
    })
    .finish();
}
