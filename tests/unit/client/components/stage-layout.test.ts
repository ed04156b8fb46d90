import { describe, expect, it } from 'vitest';
import { featuredPerson, MAX_TILES_PER_PAGE, pageOf, tilesPerPage } from '../../../../client/src/components/stage-layout';

const people = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);

describe('grid pages', () => {
  it('a laptop window holds a dozen or so tiles; a huge one stops at 4 × 4 (the relay’s video slots)', () => {
    expect(tilesPerPage(1000, 500)).toBe(12); // 4 columns × 3 rows of at least 200 × 150
    expect(tilesPerPage(4000, 3000)).toBe(MAX_TILES_PER_PAGE);
  });

  it('a tiny window still shows one tile', () => {
    expect(tilesPerPage(100, 80)).toBe(1);
  });

  it('50 people at 20 a page make 3 pages; the last holds the rest', () => {
    const last = pageOf(people(50), 20, 2);
    expect(last.pages).toBe(3);
    expect(last.shown).toEqual(people(50).slice(40));
  });

  it('a page past the end (people left) clamps to the last page that exists', () => {
    const paged = pageOf(people(21), 20, 1);
    expect(paged.page).toBe(1);
    expect(pageOf(people(20), 20, 1)).toEqual({ shown: people(20), page: 0, pages: 1 });
  });

  it('nobody here is one empty page', () => {
    expect(pageOf([], 20, 0)).toEqual({ shown: [], page: 0, pages: 1 });
  });
});

describe('the large tile in speaker layout', () => {
  const ids = ['ann', 'bob', 'cat'];
  it('pinned beats speaking beats the last speaker beats the first person', () => {
    expect(featuredPerson(ids, 'cat', 'bob', 'ann')).toBe('cat');
    expect(featuredPerson(ids, null, 'bob', 'ann')).toBe('bob');
    expect(featuredPerson(ids, null, null, 'cat')).toBe('cat');
    expect(featuredPerson(ids, null, null, null)).toBe('ann');
  });

  it('someone who left is skipped, even when pinned', () => {
    expect(featuredPerson(ids, 'gone', null, 'gone-too')).toBe('ann');
    expect(featuredPerson([], 'ann', null, null)).toBeNull();
  });
});
