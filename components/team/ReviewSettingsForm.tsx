'use client';

import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { patch } from '@/lib/api/client';
import type { ReviewSettingsAnswer, ReviewSettingsRequest } from '@/lib/api/team';
import { Button } from '@/components/ui/Button';
import { Field } from '@/components/ui/Field';
import { Input } from '@/components/ui/Input';

const NUMBER = 'w-20 text-right tabular-nums';

interface Settings {
  overlap: number;
  goldRate: number;
}

/** A dataset's overlap (k verdicts per item) and gold rate, saved with PATCH /api/datasets/:id/settings. */
export function ReviewSettingsForm({ datasetId, initial }: { datasetId: number; initial: Settings }) {
  const router = useRouter();
  const [overlap, setOverlap] = useState(String(initial.overlap));
  const [goldPercent, setGoldPercent] = useState(String(Math.round(initial.goldRate * 1000) / 10));
  const save = useMutation({
    mutationFn: (settings: ReviewSettingsRequest) => patch<ReviewSettingsAnswer>(`/api/datasets/${datasetId}/settings`, settings),
    // The page's figures (overlap, gold rate) are server-rendered: re-render them.
    onSuccess: () => router.refresh(),
  });

  const k = Number(overlap);
  const rate = Number(goldPercent) / 100;
  const valid = Number.isInteger(k) && k >= 1 && k <= 10 && goldPercent.trim() !== '' && rate >= 0 && rate <= 0.5;
  const changed = k !== initial.overlap || Math.abs(rate - initial.goldRate) > 1e-9;

  return (
    <form
      data-testid="review-settings"
      className="flex flex-wrap items-end gap-4 text-sm"
      onSubmit={(event) => {
        event.preventDefault();
        if (valid) save.mutate({ overlap: k, goldRate: rate });
      }}
    >
      <Field label="Overlap (verdicts per item)" size="md">
        <Input type="number" min={1} max={10} step={1} value={overlap} onChange={(e) => setOverlap(e.target.value)} className={NUMBER} />
      </Field>
      <Field label="Gold rate (%)" size="md">
        <Input
          type="number"
          min={0}
          max={50}
          step={0.5}
          value={goldPercent}
          onChange={(e) => setGoldPercent(e.target.value)}
          className={NUMBER}
        />
      </Field>
      <Button type="submit" variant="primary" size="md" disabled={!valid || !changed || save.isPending}>
        {save.isPending ? 'Saving…' : 'Save'}
      </Button>
      <p className="basis-full text-xs text-neutral-500">
        {valid
          ? 'Overlap 1–10: verdicts each item needs; agreeing ones decide it, disagreeing ones send it to adjudication. A new overlap applies to items decided from now on. Gold rate 0–50%: the share of queue slots filled with gold items.'
          : 'Overlap must be a whole number from 1 to 10, gold rate from 0 to 50%.'}
        {save.isSuccess && !changed && <span className="ml-2 text-emerald-400">Saved.</span>}
      </p>
      {save.isError && (
        <p className="basis-full text-sm text-rose-300" role="alert">
          {save.error.message}
        </p>
      )}
    </form>
  );
}
