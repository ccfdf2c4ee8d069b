'use client';

import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo, useRef, useState } from 'react';
import { useKeymap } from '@/components/keyboard';
import { DATASET_KEYS, DATASET_PAGE_KEYS, HELP_MODE } from '@/components/keymap';
import { ShortcutDialog } from '@/components/ShortcutDialog';
import { Button, buttonClass } from '@/components/ui/Button';
import { EmptyState } from '@/components/ui/EmptyState';
import { Input } from '@/components/ui/Input';
import { cx } from '@/components/ui/cx';
import { ApiError } from '@/lib/api/client';
import type { BrowseRow } from '@/lib/api/datasets';
import { itemHref as itemLink } from '@/lib/http/back-link';
import { exportHref, filterInputFromParams, filterToParams, reviewHref } from '@/lib/filter/filter-codec';
import type { ListFilter } from '@/lib/filter/filter';
import { useBrowsePages, useMatchingCount, useSearchStatus } from './api';
import { checkTerms, explainServerIssue, TERM_LABELS, without, type FormTerm, type FormTerms } from './filter-form';
import { FilterPanel, type FilterOptions } from './FilterPanel';
import { ItemGrid } from './ItemGrid';
import { ItemTable } from './ItemTable';
import { SelectionBar, type Selection } from './SelectionBar';

const number = new Intl.NumberFormat('en-US');

/** What the viewer may do here (from the page's roles). */
interface BrowserRights {
  manage: boolean;
  review: boolean;
  adjudicate: boolean;
  audit: boolean;
}

/** The filter's terms as the URL gives them, without the dataset (the path's) and the page's own parameters. */
function termsOf(search: URLSearchParams): FormTerms {
  const { datasetId: _dataset, ...terms } = filterInputFromParams(search);
  return terms;
}

/** The terms as the filter the API routes read back (strings: the server parses them with the one schema). */
const asFilter = (datasetId: number, terms: FormTerms) => ({ ...terms, datasetId }) as unknown as ListFilter;

/**
 * The dataset browser: a search box (the filter's `search`, URL `q`), the filter panel with its
 * chips, the items as a virtualized grid of pairs or a table, a selection (click, shift-click,
 * Space, "all N matching") and what can be done with it. The URL holds the filter and the view,
 * so a link, Back, "Export these" and "Review these" keep them.
 */
export function DatasetBrowser({ datasetId, options, can }: { datasetId: number; options: FilterOptions; can: BrowserRights }) {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const view = search.get('view') === 'table' ? 'table' : 'grid';
  const applied = useMemo(() => termsOf(new URLSearchParams(search.toString())), [search]);
  // The form's own problems (what Apply refused), else those of what the URL holds.
  const [refused, setRefused] = useState<{ terms: FormTerms; problems: Partial<Record<FormTerm, string>> }>();
  const urlProblems = useMemo(() => checkTerms(applied), [applied]);
  const valid = Object.keys(urlProblems).length === 0;
  const params = filterToParams(applied as Partial<ListFilter>).toString();
  const pages = useBrowsePages(datasetId, params, valid);
  const count = useMatchingCount(datasetId, params, valid);
  const status = useSearchStatus(datasetId, !!applied.search);
  const rows = useMemo(() => pages.data?.pages.flatMap((page) => page.rows) ?? [], [pages.data]);
  // A 400 names a term the server refused; anything else is a failure to load.
  const loadError = pages.error;
  const refusedByServer = loadError instanceof ApiError && loadError.status === 400;
  const serverIssue = loadError && refusedByServer ? explainServerIssue(loadError.message) : undefined;
  const problems = refused?.problems ?? { ...urlProblems, ...(serverIssue?.term ? { [serverIssue.term]: serverIssue.text } : {}) };

  const go = useCallback(
    (terms: FormTerms, nextView = view) => {
      const next = filterToParams(terms as Partial<ListFilter>);
      if (nextView === 'table') next.set('view', 'table');
      router.push(`${pathname}${next.size ? `?${next}` : ''}`, { scroll: false });
    },
    [pathname, router, view],
  );
  const apply = (terms: FormTerms) => {
    const found = checkTerms(terms);
    if (Object.keys(found).length > 0) {
      setRefused({ terms, problems: found });
      return;
    }
    setRefused(undefined);
    go(terms);
  };

  // The selection: ids chosen one by one, or every item the filter matches.
  const [chosen, setChosen] = useState<Set<number>>(new Set());
  const [all, setAll] = useState(false);
  const anchor = useRef<number | undefined>(undefined);
  const [selectionOf, setSelectionOf] = useState(params);
  if (selectionOf !== params) {
    // Another filter: another set of items, so the selection starts again.
    setSelectionOf(params);
    setChosen(new Set());
    setAll(false);
    anchor.current = undefined;
  }
  const isSelected = useCallback((id: number) => all || chosen.has(id), [all, chosen]);
  const onSelect = (index: number, range: boolean) => {
    const row = rows[index];
    if (!row) return;
    const next = new Set(all ? rows.map((r) => r.id) : chosen);
    if (all) setAll(false);
    if (range && anchor.current !== undefined) {
      const [from, to] = [Math.min(anchor.current, index), Math.max(anchor.current, index)];
      for (const r of rows.slice(from, to + 1)) next.add(r.id);
    } else if (next.has(row.id)) next.delete(row.id);
    else next.add(row.id);
    anchor.current = index;
    setChosen(next);
  };
  const total = count.data?.total;
  const filter = asFilter(datasetId, applied);
  const selection: Selection | undefined = all
    ? total
      ? { count: total, filter, all: true }
      : undefined
    : chosen.size > 0
      ? { count: chosen.size, filter: { datasetId, ids: [...chosen].sort((a, b) => a - b) } as ListFilter, all: false }
      : undefined;

  const here = `${pathname}${search.size ? `?${search}` : ''}`;
  const itemHref = can.adjudicate ? (row: BrowseRow) => itemLink(row.id, here) : undefined;
  const onOpen = (row: BrowseRow) => itemHref && router.push(itemHref(row));
  const loadMore = useCallback(() => {
    if (pages.hasNextPage && !pages.isFetchingNextPage) void pages.fetchNextPage();
  }, [pages]);
  const valueColumn = applied.signal
    ? { name: applied.signal, of: (row: BrowseRow) => row.signal }
    : applied.score
      ? { name: applied.score, of: (row: BrowseRow) => row.score }
      : undefined;

  const [query, setQuery] = useState(applied.search ?? '');
  const [seenSearch, setSeenSearch] = useState(applied.search);
  if (seenSearch !== applied.search) {
    setSeenSearch(applied.search);
    setQuery(applied.search ?? '');
  }
  // `?` anywhere on the page: the help lists the list's keys too (DATASET_KEYS), which the grid and table bind.
  const [help, setHelp] = useState(false);
  useKeymap(DATASET_PAGE_KEYS, { help: () => setHelp(true), closeHelp: () => setHelp(false) }, { mode: help ? HELP_MODE : 'normal' });
  const gridProps = {
    rows,
    hasMore: !!pages.hasNextPage,
    loadMore,
    isSelected,
    onSelect,
    itemHref,
    onOpen,
    seesVerdicts: can.adjudicate,
    helpOpen: help,
  };

  return (
    <>
      <div className="mb-3 flex flex-wrap items-center gap-3">
        <form
          role="search"
          className="flex min-w-80 flex-1 items-center gap-2"
          onSubmit={(event) => {
            event.preventDefault();
            go({ ...applied, search: query.trim() || undefined });
          }}
        >
          <Input
            type="search"
            size="md"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            placeholder="Search instructions and input descriptions (word, or prefix*)"
            aria-label="Search instructions"
            className="flex-1"
          />
          <Button type="submit" size="md">
            Search
          </Button>
        </form>
        <div className="flex rounded-md border border-neutral-800 p-0.5" role="group" aria-label="View">
          {(['grid', 'table'] as const).map((v) => (
            <button
              key={v}
              type="button"
              aria-pressed={view === v}
              onClick={() => go(applied, v)}
              className={cx(
                'rounded px-2.5 py-1 text-sm capitalize focus-visible:outline-2 focus-visible:outline-sky-400',
                view === v ? 'bg-neutral-800 text-neutral-100' : 'text-neutral-400 hover:text-neutral-200',
              )}
            >
              {v}
            </button>
          ))}
        </div>
        {can.manage && (
          <Link href={exportHref(filter)} className={buttonClass({ variant: 'ghost', size: 'md' })}>
            Export these
          </Link>
        )}
        {can.review && (
          <Link href={reviewHref(filter)} className={buttonClass({ variant: 'primary', size: 'md' })}>
            Review these
          </Link>
        )}
      </div>
      {applied.search && status.data && !status.data.ready && (
        <p className="mb-3 rounded-md bg-amber-500/10 px-3 py-2 text-sm text-amber-200" role="status" data-testid="search-building">
          The search index is still building ({number.format(status.data.indexed)} of {number.format(status.data.total)} items): results are
          complete, but searches are slower until it is done.
        </p>
      )}

      <FilterPanel
        key={refused ? 'refused' : 'applied'}
        applied={refused?.terms ?? applied}
        active={applied}
        problems={problems}
        options={options}
        onApply={apply}
        onRemove={(clears) => {
          setRefused(undefined);
          go(without(applied, clears));
        }}
      />
      {!valid || serverIssue ? (
        <p className="mb-3 text-sm text-rose-300" role="alert" data-testid="filter-problem">
          {serverIssue
            ? `The filter is not applied: ${serverIssue.term ? `${TERM_LABELS[serverIssue.term].toLowerCase()}: ` : ''}${serverIssue.text}`
            : 'The filter is not applied: the value marked above needs fixing.'}
        </p>
      ) : null}
      {pages.error && !refusedByServer && (
        <p className="mb-3 text-sm text-rose-300" role="alert">
          The items could not be loaded: {pages.error.message}
        </p>
      )}
      {refused && (
        <p className="mb-3 text-sm text-rose-300" role="alert" data-testid="filter-refused">
          Not applied yet: fix the value marked above (the list still shows the filter before it).
        </p>
      )}

      <div className="mb-2 flex items-center gap-3 text-sm text-neutral-400">
        <span className="tabular-nums" data-testid="matching-count">
          {total === undefined ? (count.isError ? '' : 'Counting…') : `${number.format(total)} matching`}
        </span>
        {total !== undefined && total > 0 && !all && (
          <Button size="xs" variant="ghost" onClick={() => setAll(true)}>
            Select all {number.format(total)} matching
          </Button>
        )}
        <span className="ml-auto text-xs text-neutral-400">
          {view === 'grid' ? '← → ↑ ↓ move' : '↑ ↓ move'} · Enter opens · Space selects · shift-click a range ·{' '}
          <button type="button" className="hover:text-neutral-200 hover:underline" onClick={() => setHelp(true)}>
            <kbd>?</kbd> all keys
          </button>
        </span>
      </div>
      {selection && (
        <SelectionBar
          selection={selection}
          can={can}
          onClear={() => {
            setChosen(new Set());
            setAll(false);
          }}
        />
      )}

      {valid && pages.isSuccess && rows.length === 0 ? (
        <EmptyState look="table" message="No items match these filters." />
      ) : view === 'grid' ? (
        <ItemGrid {...gridProps} />
      ) : (
        <ItemTable {...gridProps} valueColumn={valueColumn} />
      )}
      {help && <ShortcutDialog keymap={DATASET_KEYS} onClose={() => setHelp(false)} />}
    </>
  );
}
