import { ErrorCode } from '../../lib/errors.js';
import { SubgraphError } from './errors.js';

const MAX_POSITION = 2_147_483_647;

/** Opaque pagination cursors: the position of a row, base64url-encoded. */
export function encodeCursor(position: number): string {
  return Buffer.from(`pos:${position}`).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): number {
  if (cursor === null || cursor === undefined) return 0;
  const match = /^pos:(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const position = Number(match?.[1]);
  // Beyond a Postgres integer the database refuses the offset with an internal error.
  if (match === null || position > MAX_POSITION)
    throw new SubgraphError(ErrorCode.BadUserInput, 'The cursor is not one this service issued.', { argumentName: 'after' });
  return position;
}

/** Validates a page size argument. */
export function pageSize(first: number | null | undefined, fallback: number, max = 100): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 0 || size > max) {
    throw new SubgraphError(ErrorCode.BadUserInput, `first must be between 0 and ${max}.`, { argumentName: 'first' });
  }
  return size;
}
