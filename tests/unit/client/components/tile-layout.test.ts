import { describe, expect, it } from 'vitest';
import { fitTiles } from '../../../../client/src/components/tile-layout';

describe('tile layout', () => {
  it('one tile fills the height of a wide box at 4:3', () => {
    expect(fitTiles(1, 1200, 600)).toEqual({ cols: 1, tileWidthPx: 800, tileHeightPx: 600 });
  });

  it('two tiles side by side in a wide box, stacked in a tall one', () => {
    expect(fitTiles(2, 1200, 500).cols).toBe(2);
    expect(fitTiles(2, 500, 1200).cols).toBe(1);
  });

  it('tiles never overflow the box, gaps included, for 1..50 tiles', () => {
    for (let n = 1; n <= 50; n++) {
      const { cols, tileWidthPx, tileHeightPx } = fitTiles(n, 1280, 700, 4 / 3, 12);
      const rows = Math.ceil(n / cols);
      expect(cols * tileWidthPx + (cols - 1) * 12).toBeLessThanOrEqual(1280);
      expect(rows * tileHeightPx + (rows - 1) * 12).toBeLessThanOrEqual(700);
      expect(tileWidthPx).toBeGreaterThan(0);
    }
  });

  it('an empty or zero-size box gives zero-size tiles, not NaN', () => {
    expect(fitTiles(0, 800, 600).tileWidthPx).toBe(800);
    expect(fitTiles(3, 0, 0)).toEqual({ cols: 1, tileWidthPx: 0, tileHeightPx: 0 });
  });
});
