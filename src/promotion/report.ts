import { passCount, type CaseOutcome, type EvalRun } from './evals.js';

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
  const counted = passCount(outcome);
  const verdict = `${outcome.passed ? '✅ pass' : '❌ fail'}${counted ? ` ${counted}` : ''}`;
  const why = outcome.passed
    ? ''
    : outcome.error
      ? `: ${outcome.error}`
      : `: ${outcome.evaluators
          .filter((entry) => !entry.passed && !entry.skipped)
          .map((entry) => `${entry.name} (${entry.details})`)
          .join('; ')}`;
  const short = why.length > 160 ? `${why.slice(0, 159)}…` : why;
  const spend = outcome.cacheHit
    ? 'cached, $0'
    : `${money(outcome.costUsd)}, ${outcome.inputTokens}/${outcome.outputTokens} tok`;
  return escapeCell(`${verdict}${short} · ${spend}`);
}

/**
 * The side-by-side table: one row per test case, the candidate beside the version promoted now
 * (when there is one), then pass rate, cost and tokens.
 */
export function evalTable(candidate: EvalRun, promoted: EvalRun | undefined): string {
  const head = promoted
    ? [
        `| Case | Candidate \`${candidate.versionLabel}\` | Promoted \`${promoted.versionLabel}\` |`,
        '| --- | --- | --- |',
      ]
    : [`| Case | Candidate \`${candidate.versionLabel}\` |`, '| --- | --- |'];
  const rows = candidate.cases.map((outcome) => {
    const label = escapeCell(`${outcome.index}${outcome.label ? ` · ${outcome.label}` : ''}`);
    const cells = [label, caseCell(outcome)];
    if (promoted) cells.push(caseCell(promoted.cases.find((entry) => entry.index === outcome.index)));
    return `| ${cells.join(' | ')} |`;
  });
  const line = (name: string, pick: (run: EvalRun) => string) =>
    `| **${name}** | ${pick(candidate)}${promoted ? ` | ${pick(promoted)}` : ''} |`;
  return [
    ...head,
    ...rows,
    line('Pass rate', (run) => `**${percent(run)}**`),
    line('Cost', (run) => `${money(run.costUsd)}${run.cacheHits > 0 ? ` (${run.cacheHits} cached)` : ''}`),
    line('Tokens in/out', (run) => `${run.inputTokens}/${run.outputTokens}`),
    ...(candidate.runs > candidate.total ? [line('Model runs', (run) => `${run.runs} (repeat)`)] : []),
  ].join('\n');
}

/**
 * A unified diff of two texts, 3 lines of context, by the `diff` package (Myers' algorithm).
 * Prompt files are small; for very large ones the diff is summarised instead.
 */
export async function unifiedDiff(
  before: string,
  after: string,
  names: { from: string; to: string },
  context = 3,
): Promise<string> {
  if (before === after) return '';
  // One line ending, and a final newline on both sides, so no "\ No newline" markers.
  const normal = (text: string) => (text === '' ? '' : `${text.replace(/\r\n?/g, '\n').replace(/\n$/, '')}\n`);
  const a = normal(before);
  const b = normal(after);
  const count = (text: string) => (text === '' ? 0 : text.split('\n').length - 1);
  if (count(a) * count(b) > 4_000_000)
    return `--- ${names.from}\n+++ ${names.to}\n(${count(a)} → ${count(b)} lines; too large to diff here)\n`;
  // Loaded here: every CLI command loads this module, only promote-prompt diffs.
  const { structuredPatch } = await import('diff');
  const patch = structuredPatch(names.from, names.to, a, b, undefined, undefined, { context });
  const out = [`--- ${names.from}`, `+++ ${names.to}`];
  for (const hunk of patch.hunks) {
    // An empty side starts at the line before, as `diff -u` prints it (and jsdiff's formatPatch).
    const from = hunk.oldLines === 0 ? hunk.oldStart - 1 : hunk.oldStart;
    const to = hunk.newLines === 0 ? hunk.newStart - 1 : hunk.newStart;
    out.push(`@@ -${from},${hunk.oldLines} +${to},${hunk.newLines} @@`, ...hunk.lines);
  }
  return `${out.join('\n')}\n`;
}

/** A fenced block that cannot be closed early by backticks in the content. */
export function fenced(text: string, language = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\n$/, '')}\n${fence}`;
}
