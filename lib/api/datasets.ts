import { z } from 'zod';
import type { BrowseRow } from '@/lib/browse/list';
import type { DecideAnswer } from '@/lib/browse/decide';
import { DECIDE_MAX } from '@/lib/browse/limits';
import { decimalCount } from '@/lib/http/params';

/**
 * The dataset browser's API (app/api/datasets/:id/items, .../items/count, .../decide): what the
 * route handlers parse and answer, and what components/datasets call. The filter travels as
 * lib/filter/filter-codec.ts writes it (URL parameters for the reads, its terms for the decision).
 */

/** Most rows one page of the browser may ask for. */
export const BROWSE_PAGE_MAX = 200;

/** GET /api/datasets/:id/items?<filter>&after=&limit= (`after`: the previous answer's `next`). */
export const browseQuery = z.object({
  after: z.string().max(2000).optional(),
  limit: decimalCount().pipe(z.number().min(1).max(BROWSE_PAGE_MAX)).default(100),
});

export type BrowseAnswer = { rows: BrowseRow[]; next?: string };

/** GET /api/datasets/:id/items/count?<filter> */
export type CountAnswer = { total: number };

/** POST /api/datasets/:id/decide */
export const decideRequest = z.object({
  decision: z.enum(['accept', 'reject']),
  /** The selection: the filter's terms (lib/filter/filter.ts; `ids` for an explicit list), its dataset the path's. */
  filter: z.record(z.string(), z.unknown()).default({}),
  /** The count the confirmation named: refused (409) when the selection no longer holds exactly that many. */
  count: z.number().int().min(1).max(DECIDE_MAX),
});
export type DecideRequest = z.input<typeof decideRequest>;
export type { BrowseRow, DecideAnswer };
