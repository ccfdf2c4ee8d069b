import { exportHref, reviewHref } from '@/lib/filter/filter-codec';
import type { ListFilter } from '@/lib/filter/filter';

/**
 * The longest link a selection may be carried in. Hand-picked ids travel in the URL
 * (`ids=1%2C2%2C…`, ~10 characters an id at 1.5M items), and the page it opens repeats its
 * URL in its own requests: the Referer of every API call, and Next's router state with the
 * Referer on a prefetch, so twice over. Node refuses a request whose headers pass 16 KB (431;
 * the review page failed past ~1,800 ids). 6,000 leaves the cookies and other headers room.
 */
export const LINK_MAX = 6000;

export type SelectionLinks = { fits: true; review: string; export: string } | { fits: false };

/** "Review" and "Export" of a selection: its links, or that they would be too long to follow. */
export function selectionLinks(filter: Partial<ListFilter>): SelectionLinks {
  const review = reviewHref(filter);
  const exported = exportHref(filter);
  return review.length <= LINK_MAX && exported.length <= LINK_MAX ? { fits: true, review, export: exported } : { fits: false };
}
