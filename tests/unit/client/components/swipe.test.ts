import { describe, expect, it } from 'vitest';
import { SWIPE_MIN_PX, swipeStep } from '../../../../client/src/components/swipe';

describe('swipeStep', () => {
  it('a finger moving left turns to the next page, right to the previous', () => {
    expect(swipeStep(-120, 10)).toBe(1);
    expect(swipeStep(120, -10)).toBe(-1);
  });

  it('a tap or a short wobble turns nothing', () => {
    expect(swipeStep(0, 0)).toBe(0);
    expect(swipeStep(-(SWIPE_MIN_PX - 1), 0)).toBe(0);
    expect(swipeStep(SWIPE_MIN_PX - 1, 0)).toBe(0);
  });

  it('a mostly vertical drag is a scroll, not a page turn', () => {
    expect(swipeStep(-80, 100)).toBe(0);
    expect(swipeStep(80, -60)).toBe(0);
  });
});
