import type { CaseOutcome, EvalRun } from './evals.js';

/** Markdown for the job summary, the promotion pull request and the sticky comment. */

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function money(value: number): string {
  if (value === 0) return '$0';
  return value < 0.01 ? `$${value.toFixed(6)}` : `$${value.toFixed(4)}`;
}

function percent(run: EvalRun): string {
  return `${run.passed}/${run.total} (${Math.round(run.passRate * 100)}%)`;
}

function caseCell(outcome: CaseOutcome | undefined): string {
  if (!outcome) return '—';
  const verdict = outcome.passed ? '✅ pass' : '❌ fail';
  const why = outcome.error
    ? `: ${outcome.error}`
    : outcome.passed
      ? ''
      : `: ${outcome.evaluators.filter((entry) => !entry.passed && !entry.skipped).map((entry) => `${entry.name} (${entry.details})`).join('; ')}`;
  const short = why.length > 160 ? `${why.slice(0, 159)}…` : why;
  const spend = outcome.cacheHit ? 'cached, $0' : `${money(outcome.costUsd)}, ${outcome.inputTokens}/${outcome.outputTokens} tok`;
  return escapeCell(`${verdict}${short} · ${spend}`);
}

/**
 * The side-by-side table: one row per test case, the candidate beside the version promoted now
 * (when there is one), then pass rate, cost and tokens.
 */
export function evalTable(candidate: EvalRun, promoted: EvalRun | undefined): string {
  const head = promoted
    ? [`| Case | Candidate \`${candidate.versionLabel}\` | Promoted \`${promoted.versionLabel}\` |`, '| --- | --- | --- |']
    : [`| Case | Candidate \`${candidate.versionLabel}\` |`, '| --- | --- |'];
  const rows = candidate.cases.map((outcome) => {
    const label = escapeCell(`${outcome.index}${outcome.label ? ` · ${outcome.label}` : ''}`);
    const cells = [label, caseCell(outcome)];
    if (promoted) cells.push(caseCell(promoted.cases.find((entry) => entry.index === outcome.index)));
    return `| ${cells.join(' | ')} |`;
  });
  const line = (name: string, pick: (run: EvalRun) => string) => `| **${name}** | ${pick(candidate)}${promoted ? ` | ${pick(promoted)}` : ''} |`;
  return [
    ...head,
    ...rows,
    line('Pass rate', (run) => `**${percent(run)}**`),
    line('Cost', (run) => `${money(run.costUsd)}${run.cacheHits > 0 ? ` (${run.cacheHits} cached)` : ''}`),
    line('Tokens in/out', (run) => `${run.inputTokens}/${run.outputTokens}`),
  ].join('\n');
}

/**
 * A unified diff of two texts (longest common subsequence over lines, 3 lines of context).
 * Prompt files are small; for very large ones the diff is summarised instead.
 */
export function unifiedDiff(before: string, after: string, names: { from: string; to: string }, context = 3): string {
  const lines = (text: string) => (text === '' ? [] : text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n'));
  const a = lines(before);
  const b = lines(after);
  if (before === after) return '';
  if (a.length * b.length > 4_000_000) return `--- ${names.from}\n+++ ${names.to}\n(${a.length} → ${b.length} lines; too large to diff here)\n`;
  // lcs[i][j]: length of the LCS of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    const row = lcs[i] as Uint32Array;
    const next = lcs[i + 1] as Uint32Array;
    for (let j = b.length - 1; j >= 0; j--) row[j] = a[i] === b[j] ? (next[j + 1] ?? 0) + 1 : Math.max(next[j] ?? 0, row[j + 1] ?? 0);
  }
  type Op = { kind: ' ' | '-' | '+'; text: string; ai: number; bi: number };
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) ops.push({ kind: ' ', text: a[i++] ?? '', ai: i, bi: ++j });
    // Deletions before additions, as diff -u prints them.
    else if (i < a.length && (j >= b.length || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) ops.push({ kind: '-', text: a[i++] ?? '', ai: i, bi: j });
    else ops.push({ kind: '+', text: b[j++] ?? '', ai: i, bi: j });
  }
  const out = [`--- ${names.from}`, `+++ ${names.to}`];
  let index = 0;
  while (index < ops.length) {
    while (index < ops.length && ops[index]?.kind === ' ') index++;
    if (index >= ops.length) break;
    let start = Math.max(0, index - context);
    let end = index;
    // Extend the hunk while changes are within 2*context lines of each other.
    for (let k = index; k < ops.length; k++) {
      if (ops[k]?.kind !== ' ') end = k;
      else if (k - end > 2 * context) break;
    }
    const stop = Math.min(ops.length, end + context + 1);
    const hunk = ops.slice(start, stop);
    const first = hunk[0] as Op;
    const aStart = first.kind === '+' ? first.ai + 1 : first.ai;
    const bStart = first.kind === '-' ? first.bi + 1 : first.bi;
    const aCount = hunk.filter((op) => op.kind !== '+').length;
    const bCount = hunk.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${aCount === 0 ? aStart - 1 : aStart},${aCount} +${bCount === 0 ? bStart - 1 : bStart},${bCount} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.text}`);
    index = stop;
    start = stop;
  }
  return `${out.join('\n')}\n`;
}

/** A fenced block that cannot be closed early by backticks in the content. */
export function fenced(text: string, language = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\n$/, '')}\n${fence}`;
}
