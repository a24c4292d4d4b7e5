import type { SubscriberLoad, SubscriptionTarget } from './subscriptionTargets.js';
import type { SubscriptionMeasurement } from './workload.js';

/** The heading of the workload's section in RESULTS.md; a run of this workload alone replaces only that section. */
export const SECTION_HEADING = '## Subscriptions';
/** The section of a run whose connections sign in as distinct callers, kept beside the one-caller section. */
export const DISTINCT_CALLERS_HEADING = '## Subscriptions, distinct callers';

/** A Markdown table aligned for the terminal: one row per target, `n/a` and the reason for one that was not measured. */
export function formatSubscriptionsTable(
  targets: readonly SubscriptionTarget[],
  measurements: readonly SubscriptionMeasurement[],
  notMeasured: readonly string[],
): string {
  const header = [
    'target',
    'subscribers/connections',
    'events/s',
    'delivered/expected',
    'p50 ms',
    'p99 ms',
    'max ms',
    'wrong/ended',
    'gateway CPU %',
    'RSS before MB',
    'RSS subscribed MB',
    'KB per subscriber',
    'RSS after MB',
    'note',
  ];
  const cells = targets.map((target) => {
    const measured = measurements.find((measurement) => measurement.target === target.name);
    if (measured === undefined) {
      const reason = notMeasured.find((line) => line.startsWith(`${target.name}: `))?.slice(target.name.length + 2) ?? 'not run';
      return [target.name, ...header.slice(1, -1).map(() => 'n/a'), `not measured: ${oneLine(reason, 200)}`];
    }
    const { summary } = measured;
    return [
      target.name,
      `${measured.subscribers}/${measured.connections}`,
      summary.eventsPerSecond.toFixed(0),
      `${summary.delivered}/${summary.expected}`,
      figure(summary.p50Ms),
      figure(summary.p99Ms),
      figure(summary.maxMs),
      `${measured.wrongEvents}/${measured.endedEarly}`,
      measured.gatewayCpuPercent === undefined ? 'n/a' : measured.gatewayCpuPercent.toFixed(0),
      megabytes(measured.rssBeforeMb),
      megabytes(measured.rssConnectedMb),
      kilobytesPerSubscriber(measured),
      megabytes(measured.rssAfterMb),
      '',
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]!.length)));
  const leftAligned = (column: number): boolean => column === 0 || column === header.length - 1;
  const format = (line: readonly string[]): string =>
    `| ${line.map((cell, column) => (leftAligned(column) ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (leftAligned(column) ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [format(header), rule, ...cells.map(format)].join('\n');
}

/** RSS with every subscriber subscribed minus RSS before any, per subscriber, in KB. */
export function kilobytesPerSubscriber(measured: Pick<SubscriptionMeasurement, 'rssBeforeMb' | 'rssConnectedMb' | 'subscribers'>): string {
  if (measured.rssBeforeMb === undefined || measured.rssConnectedMb === undefined || measured.subscribers === 0) return 'n/a';
  return (((measured.rssConnectedMb - measured.rssBeforeMb) * 1024) / measured.subscribers).toFixed(1);
}

function figure(value: number): string {
  return Number.isNaN(value) ? 'n/a' : value.toFixed(1);
}

function megabytes(value: number | undefined): string {
  return value === undefined ? 'n/a' : value.toFixed(0);
}

function oneLine(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ').replace(/\|/g, '/');
  return flat.length > length ? `${flat.slice(0, length)}...` : flat;
}

/** The workload's RESULTS.md section. */
export function renderSubscriptionsSection(run: {
  readonly targets: readonly SubscriptionTarget[];
  readonly measurements: readonly SubscriptionMeasurement[];
  readonly load: SubscriberLoad;
  readonly settings: string;
  readonly database: string;
  readonly failures: readonly string[];
  readonly skipped: readonly string[];
  readonly notes: readonly string[];
  /** Distinct users the connections signed in as: more than one gets a section of its own. */
  readonly callers: number;
  /** When and how it was measured: a run of this workload alone replaces only this section, so it says so itself. */
  readonly run?: { readonly date: Date; readonly machine: string; readonly command: string; readonly machineLoad: readonly [string, string] } | undefined;
}): string {
  const notMeasured = [...run.failures, ...run.skipped];
  return [
    run.callers === 1 ? SECTION_HEADING : DISTINCT_CALLERS_HEADING,
    '',
    "Subscribers on one gateway over graphql-ws, each holding `reviewAdded { body author { username } product { name price inStock } }`, so every event joins accounts, products and inventory into the review. A driver sends `addReview` straight to the reviews subgraph at a steady rate (the same for every target, so the gateway carries only the subscriptions); every event each subscriber receives must equal the target's answer to a plain query with the same join (which must equal the first target's), and it is timed from the mutation's answer to its arrival. events/s counts the correct events that arrived within the measured seconds; latency covers every delivery of the measured mutations; gateway CPU % is the gateway process's CPU time over the measured seconds as a share of its one core (near 100: the gateway set the pace; well below: the subgraphs or the bench's core did); KB per subscriber is (RSS with every subscriber subscribed, before any event, minus RSS before any) / subscribers.",
    '',
    ...(run.run === undefined
      ? []
      : [
          `- date: ${run.run.date.toISOString()}`,
          `- machine: ${run.run.machine}`,
          `- command: \`${run.run.command}\``,
          `- machine load: at start ${run.run.machineLoad[0]}; at end ${run.run.machineLoad[1]}`,
        ]),
    `- load: ${run.settings}`,
    `- subgraphs: ${run.database}`,
    '',
    formatSubscriptionsTable(run.targets, run.measurements, notMeasured),
    '',
    '### How the targets ran',
    '',
    ...run.targets.map((target) => `- ${target.name}: ${target.description}. ${target.settings(run.load)}`),
    ...run.notes.map((line) => `- ${oneLine(line, 600)}`),
    ...(notMeasured.length === 0
      ? []
      : [
          '',
          '### Problems',
          '',
          ...[...run.failures.map((line) => `failed: ${line}`), ...run.skipped.map((line) => `skipped: ${line}`)].map((line) => `- ${oneLine(line, 600)}`),
        ]),
    '',
  ].join('\n');
}

/**
 * RESULTS.md with `section` in place of the one already there under the same heading (its first line, up to
 * the next `## ` heading), or appended when there is none: the other workloads' figures stay as they were.
 */
export function replaceSection(results: string, section: string): string {
  const lines = results.split('\n');
  const body = section.endsWith('\n') ? section.slice(0, -1) : section;
  const heading = body.split('\n', 1)[0];
  const start = lines.findIndex((line) => line === heading);
  if (start === -1) return `${results.replace(/\n*$/, '')}\n\n${body}\n`;
  const next = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  const after = next === -1 ? [] : lines.slice(next);
  return [...lines.slice(0, start), ...body.split('\n'), ...(after.length === 0 ? [] : ['', ...after])].join('\n').replace(/\n*$/, '\n');
}
