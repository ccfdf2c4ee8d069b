/** Limits of review requests shared by lib/review and the API contract (lib/api), with no server code. */

/** The most disputed items one page of GET /api/adjudication holds. */
export const DISPUTED_PAGE_MAX = 200;
