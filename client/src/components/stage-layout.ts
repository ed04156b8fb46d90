/**
 * What the stage shows, decided from who is in the call; no DOM here.
 *
 * - Grid: everyone in equal tiles, a page at a time when there are more than fit.
 * - Speaker: one large tile and a filmstrip of the others. The large tile is, in order: a
 *   pinned person, whoever speaks now, whoever spoke last, the first person.
 * A shared screen always takes the large place, in either layout; the cameras go to the strip.
 */
export type LayoutMode = 'grid' | 'speaker';

/** Smallest grid tile worth showing: below this, people get another page instead. */
export const MIN_TILE_WIDTH_PX = 200;
export const MIN_TILE_HEIGHT_PX = 150;
/** A page never holds more than this, however large the window (4 × 4): the relay gives a page 16 video slots. */
export const MAX_TILES_PER_PAGE = 16;

export function tilesPerPage(boxWidthPx: number, boxHeightPx: number, gapPx = 12): number {
  const cols = Math.floor((boxWidthPx + gapPx) / (MIN_TILE_WIDTH_PX + gapPx));
  const rows = Math.floor((boxHeightPx + gapPx) / (MIN_TILE_HEIGHT_PX + gapPx));
  return Math.min(MAX_TILES_PER_PAGE, Math.max(1, cols * rows));
}

export interface Paged<T> {
  shown: T[];
  /** Zero-based, clamped to the pages that exist (people leaving can remove the last page). */
  page: number;
  pages: number;
}

export function pageOf<T>(items: readonly T[], perPage: number, page: number): Paged<T> {
  const pages = Math.max(1, Math.ceil(items.length / perPage));
  const clamped = Math.min(Math.max(0, page), pages - 1);
  return { shown: items.slice(clamped * perPage, (clamped + 1) * perPage), page: clamped, pages };
}

/** Who gets the large tile in speaker layout (null: nobody is here). */
export function featuredPerson(ids: readonly string[], pinned: string | null, speaking: string | null, lastSpoke: string | null): string | null {
  for (const candidate of [pinned, speaking, lastSpoke]) if (candidate !== null && ids.includes(candidate)) return candidate;
  return ids[0] ?? null;
}
