/**
 * The item page's way back: where the user came from, handed over as `?from=<path>` by the page that
 * linked to the item (dataset page with its filters, review, jobs, an audit…). Only a path on this site
 * is taken: never another origin (`//evil.example`, `/\evil.example`, `https://…`), a `javascript:` URL,
 * or control characters, so the link cannot be turned into an open redirect. Client-safe (no imports).
 */

const BASE = 'http://loupe.invalid';

/** What each top-level page is called in "← Back to …" links. */
const LABELS: Record<string, string> = {
  '': 'Datasets',
  datasets: 'Dataset',
  review: 'Review',
  jobs: 'Jobs',
  audits: 'Audit',
  adjudicate: 'Adjudication',
  team: 'Team',
  dashboard: 'Dashboard',
  signals: 'Signals',
  exports: 'Exports',
  items: 'Item',
};

/** The path (with its query and hash) when `from` is a same-origin relative path, else undefined. */
export function safeFrom(from: string | null | undefined): string | undefined {
  if (!from || !from.startsWith('/') || from.startsWith('//') || from.startsWith('/\\')) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are what this test refuses
  if (/[\u0000-\u001f\u007f\\]/.test(from)) return undefined;
  try {
    const url = new URL(from, BASE);
    if (url.origin !== BASE || url.pathname === '/login' || url.pathname.startsWith('/api/')) return undefined;
    return url.pathname + url.search + url.hash;
  } catch {
    return undefined;
  }
}

/** "← Dataset" to `from` when it is safe, else undefined (the page falls back to the item's dataset). */
export function backLink(from: string | null | undefined): { href: string; label: string } | undefined {
  const href = safeFrom(from);
  if (!href) return undefined;
  const section = href.slice(1).split(/[/?#]/)[0];
  return { href, label: LABELS[section] ?? 'Back' };
}

/** A link to an item page that remembers the page it was opened from (its path and query). */
export function itemHref(itemId: number, from?: string): string {
  const back = safeFrom(from);
  return back ? `/items/${itemId}?from=${encodeURIComponent(back)}` : `/items/${itemId}`;
}
