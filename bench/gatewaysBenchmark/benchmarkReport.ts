import type { BenchmarkRow, BenchmarkTarget } from './benchmarkTargets.js';
import type { BenchmarkMeasurement } from './workload.js';

/** The file next to RESULTS.md holding the chart. */
export const CHART_FILE = 'gateways-benchmark.svg';

interface Line {
  readonly row: string;
  readonly target: string;
  readonly runs: BenchmarkMeasurement[];
}

function linesOf(measurements: readonly BenchmarkMeasurement[]): Line[] {
  const lines: Line[] = [];
  for (const measurement of measurements) {
    const line = lines.find((other) => other.row === measurement.row && other.target === measurement.target);
    if (line === undefined) lines.push({ row: measurement.row, target: measurement.target, runs: [measurement] });
    else line.runs.push(measurement);
  }
  return lines;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
}

/** Each round's figure as a ratio of the baseline's in the same round and row, joined with ` / `. */
function ratiosPerRound(measurements: readonly BenchmarkMeasurement[], line: Line, baseline: string, figure: (m: BenchmarkMeasurement) => number): string {
  return line.runs
    .map((run) => {
      const base = measurements.find((other) => other.row === run.row && other.round === run.round && other.target === baseline);
      return base === undefined || figure(base) === 0 ? 'n/a' : `${(figure(run) / figure(base)).toFixed(2)}x`;
    })
    .join(' / ');
}

/**
 * The ratio table: per row and target, each round's req/s and p99 and their ratios
 * to the baseline's in the same round, so a target counts as ahead only if it is in every round.
 */
export function formatBenchmarkTable(measurements: readonly BenchmarkMeasurement[], rows: readonly BenchmarkRow[], baseline: string): string {
  const order = new Map<string, number>(rows.map((row, index) => [row.name, index]));
  const lines = linesOf(measurements).sort((a, b) => (order.get(a.row) ?? 0) - (order.get(b.row) ?? 0));
  const header = ['row', 'target', 'req/s per round', 'p99 ms per round', `req/s vs ${baseline}`, `p99 vs ${baseline}`, 'non-2xx/errors', 'RSS MB'];
  const cells = lines.map((line) => [
    line.row,
    line.target,
    line.runs.map((run) => run.load.requestsPerSecond.toFixed(0)).join(' / '),
    line.runs.map((run) => run.load.p99Ms.toFixed(0)).join(' / '),
    ratiosPerRound(measurements, line, baseline, (run) => run.load.requestsPerSecond),
    ratiosPerRound(measurements, line, baseline, (run) => run.load.p99Ms),
    `${line.runs.reduce((sum, run) => sum + run.load.non2xx, 0)}/${line.runs.reduce((sum, run) => sum + run.load.errors, 0)}`,
    Math.max(...line.runs.map((run) => run.rssMb ?? 0)).toFixed(0),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((cell) => cell[column]!.length)));
  const format = (cell: readonly string[]): string =>
    `| ${cell.map((text, column) => (column < 2 ? text.padEnd(widths[column]!) : text.padStart(widths[column]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column < 2 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [format(header), rule, ...cells.map(format)].join('\n');
}

/** What each row sends and how each target is configured for it. */
export function formatBenchmarkSettings(rows: readonly BenchmarkRow[], targets: readonly BenchmarkTarget[]): string[] {
  return [
    ...rows.map((row) => `${row.name}: ${row.description}`),
    ...targets.map((target) => `${target.name}: ${target.description}. ${rows.map((row) => `${row.name}: ${target.settings(row)}`).join('; ')}`),
  ];
}

const COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1'] as const;

/** The nth target's bar colour, round the palette again past its end. */
function colourOf(index: number): string {
  return COLOURS[index % COLOURS.length] ?? COLOURS[0];
}

/** A bar chart of mean req/s and p99 per row and target, hand-written SVG. */
export function renderBenchmarkChart(measurements: readonly BenchmarkMeasurement[], rows: readonly BenchmarkRow[], targets: readonly string[]): string {
  const lines = linesOf(measurements);
  const panels = [
    { title: 'requests per second (mean of rounds; more is better)', figure: (line: Line) => mean(line.runs.map((run) => run.load.requestsPerSecond)) },
    { title: 'p99 latency, ms (mean of rounds; less is better)', figure: (line: Line) => mean(line.runs.map((run) => run.load.p99Ms)) },
  ];
  const bar = 22;
  const gap = 18;
  const left = 110;
  const plotWidth = 420;
  const rowNames = rows.map((row) => row.name).filter((name) => lines.some((line) => line.row === name));
  const panelHeight = 30 + rowNames.length * (targets.length * bar + gap);
  const legendHeight = 20 * targets.length + 10;
  const width = left + plotWidth + 90;
  const height = panels.length * (panelHeight + 20) + legendHeight;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
  ];
  panels.forEach((panel, panelIndex) => {
    const top = panelIndex * (panelHeight + 20);
    const max = Math.max(1, ...lines.map(panel.figure));
    parts.push(`<text x="10" y="${top + 18}" font-weight="bold">${escapeXml(panel.title)}</text>`);
    rowNames.forEach((rowName, rowIndex) => {
      const rowTop = top + 30 + rowIndex * (targets.length * bar + gap);
      parts.push(`<text x="10" y="${rowTop + (targets.length * bar) / 2 + 4}">${escapeXml(rowName)}</text>`);
      targets.forEach((target, targetIndex) => {
        const line = lines.find((candidate) => candidate.row === rowName && candidate.target === target);
        if (line === undefined) return;
        const value = panel.figure(line);
        const length = Math.max(1, (value / max) * plotWidth);
        const y = rowTop + targetIndex * bar;
        parts.push(
          `<rect x="${left}" y="${y + 2}" width="${length.toFixed(1)}" height="${bar - 4}" fill="${colourOf(targetIndex)}"><title>${escapeXml(`${target}, ${rowName}: ${value.toFixed(1)}`)}</title></rect>`,
        );
        parts.push(`<text x="${(left + length + 4).toFixed(1)}" y="${y + bar / 2 + 4}">${value.toFixed(value >= 100 ? 0 : 1)}</text>`);
      });
    });
  });
  const legendTop = panels.length * (panelHeight + 20);
  targets.forEach((target, index) => {
    parts.push(
      `<rect x="10" y="${legendTop + index * 20}" width="14" height="14" fill="${colourOf(index)}"/>`,
      `<text x="30" y="${legendTop + index * 20 + 12}">${escapeXml(target)}</text>`,
    );
  });
  parts.push('</svg>', '');
  return parts.join('\n');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The RESULTS.md section for one run of the workload. */
export function renderBenchmarkSection(run: {
  readonly measurements: readonly BenchmarkMeasurement[];
  readonly rows: readonly BenchmarkRow[];
  readonly targets: readonly BenchmarkTarget[];
  readonly baseline: string;
  readonly settings: string;
  readonly failures: readonly string[];
  readonly skipped: readonly string[];
}): string {
  const notMeasured = [...run.failures.map((failure) => `failed: ${failure}`), ...run.skipped.map((reason) => `skipped: ${reason}`)];
  return [
    '## Public gateway benchmark',
    '',
    "The graphql-hive/graphql-gateways-benchmark workload: its four subgraphs, data, resolver behaviour, supergraph and `TestQuery`. Every answer is checked to equal stock's byte for byte (keys sorted) before the load. Figures on this machine vary by up to 2x between runs: compare targets within this run, round by round.",
    '',
    `- load: ${run.settings}`,
    '',
    formatBenchmarkTable(run.measurements, run.rows, run.baseline),
    '',
    `![req/s and p99 per target and row](${CHART_FILE})`,
    '',
    '### Settings per row',
    '',
    ...formatBenchmarkSettings(run.rows, run.targets).map((line) => `- ${line}`),
    ...(notMeasured.length === 0 ? [] : ['', '### Not measured', '', ...notMeasured.map((line) => `- ${line.replace(/\n\s*/g, ' ')}`)]),
    '',
  ].join('\n');
}
