import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor.js';

const raw = (text: string): string => Buffer.from(text).toString('base64url');

describe('pagination cursors', () => {
  it('read back the position they were made from', () => {
    expect(decodeCursor(encodeCursor(41))).toBe(41);
    expect(decodeCursor(undefined)).toBe(0);
  });

  it.each([
    ['garbage', 'garbage'],
    ['a position past a database integer', raw('pos:2147483648')],
    ['a 400-digit position', raw(`pos:${'9'.repeat(400)}`)],
    ['a negative position', raw('pos:-1')],
  ])('refuse %s with BAD_USER_INPUT, naming the argument', (_name, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' } }));
  });
});
