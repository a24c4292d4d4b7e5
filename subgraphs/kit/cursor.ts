import { SubgraphError, SubgraphErrorCode } from './errors.js';

/** Opaque pagination cursors: the position of a row, base64url-encoded. */
export function encodeCursor(position: number): string {
  return Buffer.from(`pos:${position}`).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): number {
  if (cursor === null || cursor === undefined) return 0;
  const match = /^pos:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match?.[1] === undefined) throw new SubgraphError(SubgraphErrorCode.BadUserInput, `"${cursor}" is not a valid cursor.`);
  return Number(match[1]);
}

/** Validates a page size argument. */
export function pageSize(first: number | null | undefined, fallback: number, max = 100): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 0 || size > max) {
    throw new SubgraphError(SubgraphErrorCode.BadUserInput, `first must be between 0 and ${max}.`, { argumentName: 'first' });
  }
  return size;
}
