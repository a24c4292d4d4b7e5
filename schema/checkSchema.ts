import { acceptanceOf, type AcceptedChange } from './acceptedChanges.js';
import { composeSupergraph } from './composeSupergraph.js';
import type { SubgraphEntry } from './registry.js';
import { findSchemaChanges, type SchemaChange } from './schemaChanges.js';

export interface SchemaCheckInput {
  readonly entries: readonly SubgraphEntry[];
  /** The committed supergraph SDL; `undefined` when the file is missing. */
  readonly committedSdl: string | undefined;
  /**
   * The supergraph to look for breaking changes against. @default `committedSdl`.
   * A pipeline passes its target branch's supergraph so that a break survives recomposing.
   */
  readonly baseSdl?: string | undefined;
  /** Breaking changes reviewed and shipped on purpose (`schema/accepted-changes.json`); they are reported but do not fail. @default none */
  readonly acceptedChanges?: readonly AcceptedChange[];
}

/** A change as the check reports it: accepted when the allow-list names it, with the reason given there. */
export interface CheckedChange extends SchemaChange {
  readonly acceptedBecause?: string;
}

export interface CompositionProblem {
  /** The subgraphs the error names; empty when it names none. */
  readonly subgraphs: readonly string[];
  readonly message: string;
}

export interface SchemaCheckReport {
  readonly compositionErrors: readonly CompositionProblem[];
  /** What clients would see change, breaking first; empty when composition failed. */
  readonly changes: readonly CheckedChange[];
  /** Whether the committed supergraph is exactly what the subgraphs compose to. */
  readonly upToDate: boolean;
  /** What the changes are measured against: the committed supergraph, or `baseSdl`. */
  readonly comparedWith: 'committed' | 'base';
  /** Why the baseline could not be compared (for example it does not parse); the comparison is skipped. */
  readonly baselineProblem: string | undefined;
  /** False on a composition error, a breaking change or a stale committed supergraph. */
  readonly ok: boolean;
}

/**
 * Composes the registered subgraphs and compares the result with the committed
 * supergraph (or `baseSdl`). Additions, dangerous changes and accepted breaks are
 * reported but do not fail the check on their own; a stale committed supergraph does.
 */
export function checkSchema(input: SchemaCheckInput): SchemaCheckReport {
  const composed = composeSupergraph(input.entries);
  const comparedWith = input.baseSdl === undefined ? 'committed' : 'base';
  if (!composed.ok) {
    const names = input.entries.map((entry) => entry.name);
    const compositionErrors = composed.errors.map((message) => ({ subgraphs: subgraphsNamedIn(message, names), message }));
    return { compositionErrors, changes: [], upToDate: false, comparedWith, baselineProblem: undefined, ok: false };
  }
  const upToDate = input.committedSdl === composed.supergraphSdl;
  const baseline = input.baseSdl ?? input.committedSdl;
  let changes: CheckedChange[] = [];
  let baselineProblem: string | undefined;
  if (baseline !== undefined && baseline !== composed.supergraphSdl) {
    try {
      changes = findSchemaChanges(baseline, composed.supergraphSdl).map((change) => {
        const accepted = acceptanceOf(change, input.acceptedChanges ?? []);
        return accepted === undefined ? change : { ...change, acceptedBecause: accepted.reason };
      });
    } catch (error) {
      baselineProblem = error instanceof Error ? error.message : String(error);
    }
  }
  const breaking = changes.some(isRefusedBreak);
  return { compositionErrors: [], changes, upToDate, comparedWith, baselineProblem, ok: upToDate && !breaking && baselineProblem === undefined };
}

/**
 * Registered subgraph names a composition error mentions: `[name]` (subgraph validation),
 * `subgraph "name"` / `subgraphs "a" and "b"` (merging), or `name:` (an SDL file that does not parse).
 */
export function subgraphsNamedIn(message: string, names: readonly string[]): string[] {
  const found = new Set<string>();
  for (const match of message.matchAll(/\[([a-z][a-z0-9]*)\]/g)) found.add(match[1] ?? '');
  for (const match of message.matchAll(/subgraphs? ((?:"[^"]+"(?:,? and |, )?)+)/g)) {
    for (const quoted of (match[1] ?? '').matchAll(/"([^"]+)"/g)) found.add(quoted[1] ?? '');
  }
  const prefix = /^([a-z][a-z0-9]*): /.exec(message)?.[1];
  if (prefix !== undefined) found.add(prefix);
  return names.filter((name) => found.has(name));
}

function isRefusedBreak(change: CheckedChange): boolean {
  return change.severity === 'breaking' && change.acceptedBecause === undefined;
}

const LABELS = { breaking: 'BREAKING', dangerous: 'warning ', safe: 'info    ' } as const;

/** The report as lines for a terminal or a CI log, each naming subgraph, coordinate and reason. */
export function formatSchemaCheck(report: SchemaCheckReport, options: { supergraphFile: string; baselineName: string }): string[] {
  const lines: string[] = [];
  for (const error of report.compositionErrors) lines.push(`ERROR    ${where(error.subgraphs)}composition: ${error.message}`);
  if (report.compositionErrors.length > 0) {
    lines.push('', `✗ The subgraphs do not compose (${report.compositionErrors.length} error(s)); fix the SDL named above.`);
    return lines;
  }
  if (report.baselineProblem !== undefined) lines.push(`ERROR    ${options.baselineName} could not be read as a supergraph: ${report.baselineProblem}`);
  for (const change of report.changes) {
    const label = change.acceptedBecause === undefined ? LABELS[change.severity] : 'accepted';
    const accepted = change.acceptedBecause === undefined ? '' : ` (accepted as ${change.type}: ${change.acceptedBecause})`;
    lines.push(`${label} ${where(change.subgraphs)}${change.coordinate === '' ? '' : `${change.coordinate}: `}${change.reason}${accepted}`);
  }
  const breaking = report.changes.filter(isRefusedBreak).length;
  if (lines.length > 0) lines.push('');
  if (breaking > 0) {
    lines.push(
      `✗ ${breaking} breaking change(s) against ${options.baselineName}: operations clients send today would fail.`,
      '  Keep the old field or argument (mark it @deprecated) next to the new one until clients have moved,',
      '  or, once reviewed, record the break in schema/accepted-changes.json (coordinate, change type, reason).',
    );
    if (report.comparedWith === 'committed')
      lines.push('  To ship the break anyway, `npm run compose` records it in the committed supergraph, where review sees it.');
  }
  if (!report.upToDate) lines.push(`✗ ${options.supergraphFile} is not what the subgraphs compose to. Fix: npm run compose`);
  const accepted = report.changes.filter((change) => change.acceptedBecause !== undefined).length;
  if (report.ok) {
    if (report.changes.length === 0) lines.push(`✓ The subgraphs compose to ${options.supergraphFile}; no schema changes.`);
    else
      lines.push(
        `✓ No breaking changes against ${options.baselineName}${accepted === 0 ? '' : ` but the ${accepted} accepted in schema/accepted-changes.json`}.`,
      );
  }
  return lines;
}

function where(subgraphs: readonly string[]): string {
  return subgraphs.length === 0 ? '' : `[${subgraphs.join(', ')}] `;
}
