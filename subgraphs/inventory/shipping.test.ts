import { describe, expect, it } from 'vitest';
import { FREE_SHIPPING_FROM, shippingEstimate } from './shipping.js';

describe('shippingEstimate', () => {
  it('ships free from the free-shipping price on', () => {
    expect(shippingEstimate(FREE_SHIPPING_FROM, 5000)).toBe(0);
    expect(shippingEstimate(FREE_SHIPPING_FROM + 1, 5000)).toBe(0);
  });

  it('charges the base price plus a cent per 2 grams below it', () => {
    expect(shippingEstimate(FREE_SHIPPING_FROM - 1, 1000)).toBe(999);
    expect(shippingEstimate(199, 0)).toBe(499);
  });

  it('counts a started 2 grams as a whole cent', () => {
    expect(shippingEstimate(199, 1)).toBe(500);
    expect(shippingEstimate(199, 51)).toBe(525);
  });
});
