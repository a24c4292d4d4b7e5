import { describe, expect, it } from 'vitest';
import { restartDelayMs } from './superviseWorkers.js';

describe('replacing crashed workers', () => {
  it('waits longer after each crash in a row, up to ten seconds', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(restartDelayMs)).toEqual([100, 200, 400, 800, 1_600, 3_200, 6_400, 10_000, 10_000]);
  });
});
