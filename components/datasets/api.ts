import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { get, post } from '@/lib/api/client';
import type { BrowseAnswer, CountAnswer, DecideAnswer, DecideRequest } from '@/lib/api/datasets';

/** The dataset browser's calls (app/api/datasets/:id/items, .../count, .../decide, .../search-status). */

/** Rows per page: a few screens of the grid. */
const PAGE_ROWS = 120;

/** The search index's progress, as GET /api/datasets/:id/search-status answers (lib/search/build.ts SearchStatus). */
interface SearchStatusAnswer {
  ready: boolean;
  indexed: number;
  total: number;
}

/** Pages of the browser for a filter (`params`: the filter's URL parameters, lib/filter/filter-codec.ts), in keyset order. */
export function useBrowsePages(datasetId: number, params: string, enabled: boolean) {
  return useInfiniteQuery({
    enabled,
    queryKey: ['browse', datasetId, params],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      get<BrowseAnswer>(
        `/api/datasets/${datasetId}/items?${params}${params ? '&' : ''}limit=${PAGE_ROWS}${pageParam ? `&after=${encodeURIComponent(pageParam)}` : ''}`,
      ),
    getNextPageParam: (last) => last.next,
    staleTime: 30_000,
  });
}

/** How many items the filter matches ("select all N matching"). */
export function useMatchingCount(datasetId: number, params: string, enabled: boolean) {
  return useQuery({
    enabled,
    queryKey: ['browse-count', datasetId, params],
    queryFn: () => get<CountAnswer>(`/api/datasets/${datasetId}/items/count?${params}`),
    staleTime: 30_000,
  });
}

/** The search index's progress while a search is shown: polled until it is ready. */
export function useSearchStatus(datasetId: number, enabled: boolean) {
  return useQuery({
    enabled,
    queryKey: ['search-status', datasetId],
    queryFn: () => get<SearchStatusAnswer>(`/api/datasets/${datasetId}/search-status`),
    refetchInterval: (query) => (query.state.data && !query.state.data.ready ? 3000 : false),
    retry: false,
  });
}

/** A lead decides a selection; the listing and counts are read again after. */
export function useDecide(datasetId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: DecideRequest) => post<DecideAnswer>(`/api/datasets/${datasetId}/decide`, body),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: ['browse', datasetId] });
      void queryClient.invalidateQueries({ queryKey: ['browse-count', datasetId] });
    },
  });
}
