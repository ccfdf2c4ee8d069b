import { describe, expect, it } from 'vitest';
import { filterInputFromParams } from '@/lib/filter/filter-codec';
import { LINK_MAX, selectionLinks } from './selection-links';

/** n hand-picked ids of a 1.5M-item dataset (7 digits each, as deep in a large one). */
const picked = (n: number) => Array.from({ length: n }, (_, i) => 1_000_000 + i * 97);

describe('selectionLinks', () => {
  it('carries a few hand-picked ids in the review and export links, read back as the same ids', () => {
    const links = selectionLinks({ datasetId: 3, ids: picked(50) });
    expect(links.fits).toBe(true);
    if (!links.fits) return;
    const ids = filterInputFromParams(new URL(links.review, 'http://x').searchParams).ids;
    expect(ids?.split(',').map(Number)).toEqual(picked(50));
    expect(links.export).toMatch(/^\/exports\?dataset=3&ids=/);
  });

  it('refuses 5,000 hand-picked ids (a 50 KB URL, past Node’s 16 KB of headers) instead of linking to a page that fails', () => {
    const hostile = picked(5000);
    expect(String(hostile).length).toBeGreaterThan(16 * 1024);
    expect(selectionLinks({ datasetId: 3, ids: hostile })).toEqual({ fits: false });
  });

  it('the limit keeps a link and its copy in the next page’s headers under 16 KB', () => {
    expect(2 * LINK_MAX).toBeLessThan(16 * 1024 - 2000);
    // As many 7-digit ids as fit, and one more does not.
    let n = 1;
    while (selectionLinks({ datasetId: 3, ids: picked(n + 1) }).fits) n++;
    expect(n).toBeGreaterThan(500);
    expect(selectionLinks({ datasetId: 3, ids: picked(n + 1) }).fits).toBe(false);
  });

  it('a filter ("all matching") always fits', () => {
    expect(selectionLinks({ datasetId: 3, family: 'omniedit', task: 'style', search: 'red car' }).fits).toBe(true);
  });
});
