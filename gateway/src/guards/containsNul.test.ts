import { describe, expect, it } from 'vitest';
import { containsNul } from './containsNul.js';

describe('finding a NUL character in variables', () => {
  it('finds it in a value or a key at any depth, and nowhere else', () => {
    expect(containsNul({ input: { items: [{ upc: '1' }, { upc: '2\u0000' }] } })).toBe(true);
    expect(containsNul({ input: { 'bad\u0000key': 1 } })).toBe(true);
    expect(containsNul({ input: { items: [{ upc: '1', quantity: 2, gift: null }] }, text: '\\u0000 written out' })).toBe(false);
    expect(containsNul(undefined)).toBe(false);
  });
});
