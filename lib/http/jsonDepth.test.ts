import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './jsonDepth.js';

const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('the nesting bound on request bodies', () => {
  it('counts each object or array as one level, scalars as none', () => {
    expect(nestsDeeperThan('x', 0)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: 'c' }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: 'c' }] }, 2)).toBe(true);
  });

  it('measures a value nested 100,000 deep without overflowing the stack', () => {
    const deep = nested(100_000);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(nestsDeeperThan(deep, 64)).toBe(true);
  });

  it('finds one deep branch among many shallow ones', () => {
    const wide = { variables: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`v${i}`, [i]])) } as Record<string, unknown>;
    expect(nestsDeeperThan(wide, 3)).toBe(false);
    (wide['variables'] as Record<string, unknown>)['deep'] = nested(3);
    expect(nestsDeeperThan(wide, 3)).toBe(true);
  });
});
