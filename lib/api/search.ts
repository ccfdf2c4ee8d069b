import type { SearchStatus } from '@/lib/search/build';

/**
 * The search index's API (app/api/datasets/:id/search-status): whether a dataset's searches read
 * the full-text index alone, or still scan the items imported since it was built.
 */

/** GET /api/datasets/:id/search-status */
export type SearchStatusAnswer = SearchStatus;
