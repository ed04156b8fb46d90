/** Columns and tile size that fit `count` tiles of `aspect` (w/h) into a box, as large as possible. */
export interface TileLayout {
  cols: number;
  tileWidthPx: number;
  tileHeightPx: number;
}

export function fitTiles(count: number, boxWidthPx: number, boxHeightPx: number, aspect = 4 / 3, gapPx = 12): TileLayout {
  let best: TileLayout = { cols: 1, tileWidthPx: 0, tileHeightPx: 0 };
  for (let cols = 1; cols <= Math.max(1, count); cols++) {
    const rows = Math.ceil(count / cols);
    const maxWidth = (boxWidthPx - gapPx * (cols - 1)) / cols;
    const maxHeight = (boxHeightPx - gapPx * (rows - 1)) / rows;
    const width = Math.max(0, Math.min(maxWidth, maxHeight * aspect));
    if (width > best.tileWidthPx) best = { cols, tileWidthPx: Math.floor(width), tileHeightPx: Math.floor(width / aspect) };
  }
  return best;
}
