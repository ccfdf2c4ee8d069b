'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import * as api from './api';

/** A lead closes a campaign: no more samples are handed out; the report stays. */
export function CloseCampaignButton({ campaignId, name }: { campaignId: number; name: string }) {
  const router = useRouter();
  const close = useMutation({ mutationFn: () => api.close(campaignId), onSuccess: () => router.refresh() });
  return (
    <button
      onClick={() => {
        if (window.confirm(`Close “${name}”? Auditors get no more samples from it; its report stays.`)) close.mutate();
      }}
      disabled={close.isPending}
      title={close.isError ? close.error.message : undefined}
      className="text-neutral-500 hover:text-neutral-200 disabled:opacity-40"
    >
      {close.isError ? 'Retry close' : 'Close'}
    </button>
  );
}
