import { redact } from '../shared/redact.js';

/** Where console text goes: a stream, or a lane of it. */
export interface TextSink {
  write(text: string): unknown;
}

export type Conclusion = 'success' | 'failure' | 'cancelled' | 'skipped';

const MARK: Record<Conclusion, string> = { success: '✓', failure: '✗', cancelled: '⊘', skipped: '-' };

export function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

/**
 * The console view of a local run: workflows, jobs as boxes, steps with status and duration,
 * step output indented inside. Every line goes through redact(), so registered secrets and
 * `::add-mask::` values print as ***.
 */
export class Reporter {
  constructor(
    private readonly out: TextSink,
    readonly options: { quiet?: boolean; verbose?: boolean } = {},
  ) {}

  /** The same view written somewhere else (a job's lane of the console). */
  to(sink: TextSink): Reporter {
    return new Reporter(sink, this.options);
  }

  get sink(): TextSink {
    return this.out;
  }

  line(text = ''): void {
    this.out.write(`${redact(text)}\n`);
  }

  workflowStart(name: string, file: string, event: string, origin: string | undefined, depth: number): void {
    const pad = '  '.repeat(depth);
    if (depth === 0) this.line();
    this.line(`${pad}▶ workflow ${name} (${file}) on ${event}${origin ? ` — ${origin}` : ''}`);
  }

  workflowEnd(name: string, conclusion: Conclusion, durationMs: number, depth: number): void {
    this.line(`${'  '.repeat(depth)}${MARK[conclusion]} workflow ${name}: ${conclusion} in ${seconds(durationMs)}`);
  }

  note(text: string, depth: number): void {
    this.line(`${'  '.repeat(depth)}  note: ${text}`);
  }

  jobStart(id: string, name: string, depth: number): void {
    this.line(`${'  '.repeat(depth)}┌ job ${id}${name && name !== id ? ` — ${name}` : ''}`);
  }

  jobSkipped(id: string, reason: string, depth: number): void {
    this.line(`${'  '.repeat(depth)}- job ${id} skipped (${reason})`);
  }

  jobEnd(id: string, conclusion: Conclusion, durationMs: number, outputs: Record<string, string>, depth: number): void {
    const pad = '  '.repeat(depth);
    const names = Object.keys(outputs);
    if (names.length > 0) {
      this.line(`${pad}│ outputs:`);
      for (const name of names) this.line(`${pad}│   ${name} = ${preview(outputs[name] ?? '')}`);
    }
    this.line(`${pad}└ job ${id}: ${conclusion} in ${seconds(durationMs)}`);
  }

  stepStart(name: string, detail: string, depth: number): void {
    if (this.options.quiet) return;
    this.line(`${'  '.repeat(depth)}│ ▸ ${name}${detail ? `  (${detail})` : ''}`);
  }

  stepOutput(text: string, indent: number, depth: number): void {
    if (this.options.quiet) return;
    this.line(`${'  '.repeat(depth)}│   ${'  '.repeat(indent)}${text}`);
  }

  annotation(kind: 'error' | 'warning' | 'notice', text: string, depth: number): void {
    this.line(`${'  '.repeat(depth)}│   ${kind}: ${text}`);
  }

  stepEnd(
    name: string,
    outcome: Conclusion,
    conclusion: Conclusion,
    durationMs: number,
    detail: string,
    depth: number,
  ): void {
    const pad = '  '.repeat(depth);
    if (outcome === 'skipped') {
      this.line(`${pad}│ - ${name} (skipped${detail ? `: ${detail}` : ''})`);
      return;
    }
    const tolerated = outcome === 'failure' && conclusion === 'success' ? ', continue-on-error' : '';
    const status =
      outcome === 'success' ? '' : `${outcome}${detail && detail !== outcome ? `: ${detail}` : ''}${tolerated}, `;
    this.line(
      `${pad}│ ${MARK[outcome === 'failure' && tolerated ? 'failure' : outcome]} ${name} (${status}${seconds(durationMs)})`,
    );
  }
}

export function preview(value: string, max = 120): string {
  const flat = value.replace(/\s*\n\s*/g, ' ⏎ ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
