/** Bounds of the dataset browser's bulk actions (client-safe: the contracts and the page read them too). */

/** Most items one bulk decision covers (it writes a verdict per item). */
export const DECIDE_MAX = 10_000;
