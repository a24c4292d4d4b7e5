import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SchemaChange } from './schemaChanges.js';

/** A breaking change that was reviewed and shipped on purpose, as `schema/accepted-changes.json` records it. */
export interface AcceptedChange {
  /** Schema coordinate of the change, as `schema:check` prints it: `Product.reviews`. */
  readonly coordinate: string;
  /** The change's `type`, as `schema:check` reports it: `FIELD_BECAME_NULLABLE`. */
  readonly change: string;
  /** Why clients can live with it; shown next to the change on every check. */
  readonly reason: string;
}

export const ACCEPTED_CHANGES_PATH = fileURLToPath(new URL('./accepted-changes.json', import.meta.url));

/** Reads and validates the allow-list, failing with the entry and field at fault; a missing file accepts nothing. */
export function readAcceptedChanges(path: string = ACCEPTED_CHANGES_PATH): AcceptedChange[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const raw = JSON.parse(text) as { accepted?: unknown };
  if (!Array.isArray(raw.accepted)) throw new Error(`${path}: expected an "accepted" array`);
  return raw.accepted.map((value: unknown, index: number): AcceptedChange => {
    const entry = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const text = (field: keyof AcceptedChange): string => {
      const found = entry[field];
      if (typeof found !== 'string' || found.trim() === '') throw new Error(`${path}: accepted[${index}].${field} must be a non-empty string`);
      return found.trim();
    };
    return { coordinate: text('coordinate'), change: text('change'), reason: text('reason') };
  });
}

/** The entry that accepts `change`: same coordinate and same type of change. Only breaking changes are ever accepted. */
export function acceptanceOf(change: SchemaChange, accepted: readonly AcceptedChange[]): AcceptedChange | undefined {
  if (change.severity !== 'breaking') return undefined;
  return accepted.find((entry) => entry.coordinate === change.coordinate && entry.change === change.type);
}
