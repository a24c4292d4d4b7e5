import { cpus, loadavg, platform, release } from 'node:os';
import type { CacheCounts, LoadResult } from './load.js';

/** One measured target and query. */
export interface Row {
  readonly target: string;
  readonly query: string;
  readonly load: LoadResult;
  /** The target process's resident memory right after the run. */
  readonly rssMb: number | undefined;
}

/** One comparison the summary states: `target`'s figure as a ratio of `against`'s, with its goal if it has one. */
export type Goal = {
  readonly target: string;
  readonly against: string;
  /** `req/s`: more is better; `p99` latency: less is better. */
  readonly metric: 'req/s' | 'p99';
} & (
  | { readonly atLeast: number; readonly atMost?: undefined }
  | { readonly atMost: number; readonly atLeast?: undefined }
  | { readonly atLeast?: undefined; readonly atMost?: undefined }
);

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
  /** The comparisons to state under the table. */
  readonly goals: readonly Goal[];
  /** How particular targets were run. */
  readonly notes: readonly string[];
  /** The in-process table of edge-check costs on large operations. */
  readonly edgeChecks?: string | undefined;
}

/** A Markdown table, aligned for the terminal, with req/s as a ratio of the baseline's for the same query. */
export function formatTable(rows: readonly Row[], baseline: string): string {
  const header = ['target', 'query', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx/errors', 'gateway RSS MB', `req/s vs ${baseline}`, 'x-cache HIT'];
  const rightAligned = [false, false, true, true, true, true, true, true, true];
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
      hitShare(row.load.cache) ?? '-',
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

/**
 * One line per query and goal: the ratio, the goal and whether it was met; then the
 * share of answers served from the cache for every target that says (`x-cache`).
 */
export function formatGoals(rows: readonly Row[], goals: readonly Goal[]): string[] {
  const lines: string[] = [];
  for (const query of [...new Set(rows.map((row) => row.query))]) {
    for (const goal of goals) lines.push(`${query}: ${describeGoal(rows, query, goal)}`);
    for (const row of rows.filter((other) => other.query === query)) {
      const { hit, miss, bypass } = row.load.cache;
      const share = hitShare(row.load.cache);
      if (share !== undefined)
        lines.push(`${query}: ${row.target} answered ${share} of the measured requests from its cache (x-cache HIT ${hit}, MISS ${miss}, BYPASS ${bypass})`);
    }
  }
  return lines;
}

function describeGoal(rows: readonly Row[], query: string, goal: Goal): string {
  const label = `${goal.target} ${goal.metric} vs ${goal.against}`;
  const wanted = goal.atLeast !== undefined ? `target >= ${goal.atLeast}x` : goal.atMost !== undefined ? `target <= ${goal.atMost}x` : undefined;
  const figure = (row: Row): number => (goal.metric === 'req/s' ? row.load.requestsPerSecond : row.load.p99Ms);
  const unit = goal.metric === 'req/s' ? 'req/s' : 'ms';
  const mine = rows.find((row) => row.query === query && row.target === goal.target);
  const theirs = rows.find((row) => row.query === query && row.target === goal.against);
  const missing = [mine === undefined ? goal.target : undefined, theirs === undefined ? goal.against : undefined].filter((name) => name !== undefined);
  if (mine === undefined || theirs === undefined || figure(theirs) === 0) {
    const why = missing.length > 0 ? `${missing.join(' and ')} not measured in this run` : `${goal.against} measured 0 ${unit}`;
    return `${label}: no ratio (${why})${wanted === undefined ? '' : `; ${wanted} not checked`}`;
  }
  const ratio = figure(mine) / figure(theirs);
  const figures = `${formatFigure(figure(mine))} vs ${formatFigure(figure(theirs))} ${unit}`;
  if (wanted === undefined) return `${label} ${ratio.toFixed(2)}x (${figures}); no target`;
  const met = goal.atLeast !== undefined ? ratio >= goal.atLeast : ratio <= (goal.atMost ?? Number.POSITIVE_INFINITY);
  return `${label} ${ratio.toFixed(2)}x (${figures}); ${wanted}: ${met ? 'met' : 'not met'}`;
}

function formatFigure(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/** The share of answers marked HIT, or undefined when the target sent no `x-cache` header. */
function hitShare(cache: CacheCounts): string | undefined {
  const total = cache.hit + cache.miss + cache.bypass;
  return total === 0 ? undefined : `${((cache.hit / total) * 100).toFixed(1)}%`;
}

/** Cores, CPU model, Node version and OS of this machine. */
export function describeMachine(): string {
  const cores = cpus();
  return `${cores.length} cores, ${cores[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ${platform()} ${release()}`;
}

/**
 * The 1-minute load average. Before a run, above the core count means other work is
 * competing with the bench; after one, the figure includes the run's own processes.
 */
export function describeMachineLoad(when: 'before' | 'after' = 'before'): string {
  const load = loadavg()[0] ?? 0;
  const cores = cpus().length;
  const remark = when === 'after' ? " (includes the run's own processes)" : load > cores ? ' (other work is running: expect noisy numbers)' : '';
  return `1-minute load average ${load.toFixed(1)} on ${cores} cores${remark}`;
}

/** The contents of bench/RESULTS.md for one run. */
export function renderResults(rows: readonly Row[], baseline: string, run: RunDescription): string {
  const notMeasured = [...run.failures.map((failure) => `failed: ${failure}`), ...run.skipped.map((reason) => `skipped: ${reason}`)];
  const failures = notMeasured.length === 0 ? [] : ['', '## Not measured', '', ...notMeasured.map((line) => `- ${line.replace(/\n\s*/g, ' ')}`)];
  return [
    '# Benchmark results',
    '',
    'Written by `npm run bench -- --write`; each run replaces this file, and `npm run soak -- --write` then appends its figures. Numbers from one machine compare targets with each other, not with numbers from another machine.',
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
    '',
    '## Goals',
    '',
    ...formatGoals(rows, run.goals).map((line) => `- ${line}`),
    ...(run.notes.length === 0 ? [] : ['', '## How the targets ran', '', ...run.notes.map((line) => `- ${line}`)]),
    ...(run.edgeChecks === undefined
      ? []
      : [
          '',
          '## Edge checks on large operations',
          '',
          'Limits, authorization (as an anonymous caller) and rate-limited fields, in process, against graphql-js `validate` of the same document. A walk that expanded fragments per path would grow with the expanded size; these grow with the document.',
          '',
          run.edgeChecks,
        ]),
    ...failures,
    '',
  ].join('\n');
}

function ratioToBaseline(rows: readonly Row[], row: Row, baseline: string): number | undefined {
  const base = rows.find((other) => other.query === row.query && other.target === baseline);
  return base === undefined || base.load.requestsPerSecond === 0 ? undefined : row.load.requestsPerSecond / base.load.requestsPerSecond;
}
