'use client';

import { createContext, useCallback, useContext } from 'react';
import type { JobKindMeta } from '@/lib/jobs/kinds';

/**
 * The job kinds as the browser knows them (labels, which can run in a batch). They come from
 * the kinds' own files (lib/jobs/kinds), which are server-only (their runners use sharp and the
 * OpenAI SDK): the root layout reads them on the server and hands them down here.
 */
const JobKindsContext = createContext<readonly JobKindMeta[]>([]);

export function JobKindsProvider({ kinds, children }: { kinds: readonly JobKindMeta[]; children: React.ReactNode }) {
  return <JobKindsContext value={kinds}>{children}</JobKindsContext>;
}

export function useJobKinds(): readonly JobKindMeta[] {
  return useContext(JobKindsContext);
}

/** A kind's label; a kind the page does not know, by its id. */
export function useJobLabel(): (kind: string) => string {
  const kinds = useJobKinds();
  return useCallback((kind: string) => kinds.find((k) => k.id === kind)?.label ?? kind, [kinds]);
}
