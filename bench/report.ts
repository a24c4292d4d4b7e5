import { cpus, loadavg, platform, release } from 'node:os';
import type { LoadResult } from './load.js';

/** One measured target and query. */
export interface Row {
  readonly target: string;
  readonly query: string;
  readonly load: LoadResult;
  /** The target process's resident memory right after the run. */
  readonly rssMb: number | undefined;
}

/** What the results file records besides the table. */
export interface RunDescription {
  readonly date: Date;
  readonly command: string;
  readonly settings: string;
  readonly database: string;
  /** Machine load when the run started and when it ended. */
  readonly machineLoad: readonly [string, string];
  readonly failures: readonly string[];
  readonly skipped: readonly string[];
}

/** A Markdown table, aligned for the terminal, with req/s as a ratio of the baseline's for the same query. */
export function formatTable(rows: readonly Row[], baseline: string): string {
  const header = ['target', 'query', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx/errors', 'gateway RSS MB', `req/s vs ${baseline}`];
  const rightAligned = [false, false, true, true, true, true, true, true];
  const cells = rows.map((row) => {
    const ratio = ratioToBaseline(rows, row, baseline);
    return [
      row.target,
      row.query,
      row.load.requestsPerSecond.toFixed(0),
      row.load.p50Ms.toFixed(1),
      row.load.p99Ms.toFixed(1),
      `${row.load.non2xx}/${row.load.errors}`,
      row.rssMb === undefined ? 'n/a' : row.rssMb.toFixed(0),
      ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}x`,
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const format = (line: readonly string[]): string =>
    `| ${line.map((cell, column) => (rightAligned[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (rightAligned[column] ? `${'-'.repeat(width + 1)}:` : '-'.repeat(width + 2))).join('|')}|`;
  return [format(header), rule, ...cells.map(format)].join('\n');
}

/** One line per query: the baseline's req/s and every other target's ratio to it. */
export function formatSummary(rows: readonly Row[], baseline: string): string[] {
  const queries = [...new Set(rows.map((row) => row.query))];
  return queries.map((query) => {
    const base = rows.find((row) => row.query === query && row.target === baseline);
    if (base === undefined) return `${query}: ${baseline} was not measured in this run, so there are no ratios`;
    const others = rows
      .filter((row) => row.query === query && row !== base)
      .map((row) => {
        const ratio = ratioToBaseline(rows, row, baseline)!;
        if (ratio >= 2) return `${row.target} ${ratio.toFixed(1)}x`;
        return `${row.target} ${ratio.toFixed(2)}x (${Math.round(Math.abs(ratio - 1) * 100)}% ${ratio >= 1 ? 'more' : 'fewer'} req/s)`;
      });
    return `${query}: ${baseline} ${base.load.requestsPerSecond.toFixed(0)} req/s${others.length === 0 ? '' : `; ${others.join(', ')}`}`;
  });
}

/** Cores, CPU model, Node version and OS of this machine. */
export function describeMachine(): string {
  const cores = cpus();
  return `${cores.length} cores, ${cores[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${platform()} ${release()}`;
}

/** The 1-minute load average; above the core count, other work is competing with the bench. */
export function describeMachineLoad(): string {
  const load = loadavg()[0] ?? 0;
  const cores = cpus().length;
  return `1-minute load average ${load.toFixed(1)} on ${cores} cores${load > cores ? ' (other work is running: expect noisy numbers)' : ''}`;
}

/** The contents of bench/RESULTS.md for one run. */
export function renderResults(rows: readonly Row[], baseline: string, run: RunDescription): string {
  const notMeasured = [...run.failures.map((failure) => `failed: ${failure}`), ...run.skipped.map((reason) => `skipped: ${reason}`)];
  const failures = notMeasured.length === 0 ? [] : ['', '## Not measured', '', ...notMeasured.map((line) => `- ${line.replace(/\n\s*/g, ' ')}`)];
  return [
    '# Benchmark results',
    '',
    'Written by `npm run bench -- --write`; each run replaces this file. Numbers from one machine compare targets with each other, not with numbers from another machine.',
    '',
    `- date: ${run.date.toISOString()}`,
    `- machine: ${describeMachine()}`,
    `- command: \`${run.command}\``,
    `- load: ${run.settings}`,
    `- subgraphs: ${run.database}`,
    `- machine load: at start ${run.machineLoad[0]}; at end ${run.machineLoad[1]}`,
    '',
    formatTable(rows, baseline),
    '',
    ...formatSummary(rows, baseline).map((line) => `- ${line}`),
    ...failures,
    '',
  ].join('\n');
}

function ratioToBaseline(rows: readonly Row[], row: Row, baseline: string): number | undefined {
  const base = rows.find((other) => other.query === row.query && other.target === baseline);
  return base === undefined || base.load.requestsPerSecond === 0 ? undefined : row.load.requestsPerSecond / base.load.requestsPerSecond;
}
