'use client';

import Link from 'next/link';
import { useMemo, useRef, useState } from 'react';
import { ShortcutDialog } from '@/components/ShortcutDialog';
import { AUDIT_KEYS } from '@/components/keymap';
import { ImagePair, type PairImage } from '@/components/review/ImagePair';
import { useHolder } from '@/components/review/useReviewer';
import { RUBRIC } from '@/lib/audit/rubric';
import type { RubricDimension } from '@/lib/audit/spec';
import type { AuditItem } from '@/lib/audit/work';
import * as api from './api';
import { AuditBar, type AuditCampaignInfo } from './AuditBar';
import { DecideBar } from './DecideBar';
import { Rubric } from './Rubric';
import { SampleInfo } from './SampleInfo';
import { useAuditKeys } from './useAuditKeys';
import { useAuditQueue } from './useAuditQueue';
import { nextUnscored, useScoring } from './useScoring';

function pairOf(item: AuditItem): [PairImage, PairImage] {
  const { source, candidate } = item;
  const note = [
    candidate.origin === 'dataset' ? 'from dataset' : 'regenerated',
    candidate.simulated ? 'simulated' : '',
    candidate.paddingOk === false ? 'padding check failed' : '',
  ];
  return [
    {
      label: 'Source',
      url: api.imageUrl(source.kind, source.id, 'preview'),
      fullUrl: api.imageUrl(source.kind, source.id, 'full'),
      width: source.width,
      height: source.height,
      note: source.kind === 'candidate-source' ? 'regenerated' : undefined,
    },
    {
      label: 'Edited',
      url: api.imageUrl('candidate', candidate.id, 'preview'),
      fullUrl: api.imageUrl('candidate', candidate.id, 'full'),
      width: candidate.width,
      height: candidate.height,
      note: note.filter(Boolean).join(' · '),
    },
  ];
}

/**
 * The audit page: one sample at a time (useAuditQueue), scored on the rubric by keyboard
 * (useScoring, useAuditKeys, components/keymap.ts), then passed or failed.
 */
export function AuditApp({ campaign, auditor }: { campaign: AuditCampaignInfo; auditor: string }) {
  const holder = useHolder();
  const scoring = useScoring();
  const queue = useAuditQueue(campaign.id, holder, scoring.reset);
  const item = queue.item;
  const { scores } = scoring;
  const [help, setHelp] = useState(false);
  const noteRef = useRef<HTMLInputElement>(null);

  const score = (dimension: RubricDimension, value: number) => {
    scoring.score(dimension, value);
    queue.setError(undefined);
  };

  const submit = (pass: boolean) => {
    if (!item || !holder || queue.sending) return;
    const missing = nextUnscored(scores, 0);
    if (missing !== -1) {
      scoring.setActive(missing);
      queue.setError(`Score ${RUBRIC[missing].label.toLowerCase()} first (${RUBRIC[missing].key}, then 0–9 or t for 10).`);
      return;
    }
    void queue.send({
      instructionFollowing: scores.instructionFollowing!,
      identityPreservation: scores.identityPreservation!,
      visualQuality: scores.visualQuality!,
      pass,
      note: scoring.note.trim() || undefined,
      msSpent: scoring.msSpent(),
    });
  };

  useAuditKeys({ hasItem: !!item, scoring, score, submit, dismiss: () => queue.setError(undefined), help, setHelp, noteRef });

  const pair = useMemo(() => (item ? pairOf(item) : undefined), [item]);

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <AuditBar campaign={campaign} progress={queue.progress} auditor={auditor} onHelp={() => setHelp(true)} />

      {queue.error && (
        <div
          role="alert"
          data-testid="audit-error"
          className="flex items-center gap-3 border-b border-amber-900/60 bg-amber-950/40 px-4 py-2 text-sm text-amber-200"
        >
          {queue.error}
          <button className="ml-auto text-amber-400 hover:text-amber-200" onClick={() => queue.setError(undefined)}>
            Dismiss
          </button>
        </div>
      )}

      {!item ? (
        <AuditDone campaignId={campaign.id} loading={queue.loading} />
      ) : (
        <>
          <div className="min-h-0 flex-1 px-4 pt-4 pb-2" data-testid="audit-item" data-item-id={item.itemId}>
            {pair && <ImagePair left={pair[0]} right={pair[1]} />}
          </div>

          <div className="border-t border-neutral-800 bg-neutral-900/50 px-6 py-4">
            <SampleInfo item={item} />
            <div className="mx-auto mt-4 max-w-6xl">
              <Rubric scores={scores} active={scoring.active} onSelect={scoring.setActive} onScore={score} />
            </div>
            <DecideBar
              scored={nextUnscored(scores, 0) === -1}
              sending={queue.sending}
              onSubmit={submit}
              note={scoring.note}
              onNote={scoring.setNote}
              noteRef={noteRef}
            />
          </div>
        </>
      )}
      {help && <ShortcutDialog keymap={AUDIT_KEYS} onClose={() => setHelp(false)} />}
    </div>
  );
}

function AuditDone({ campaignId, loading }: { campaignId: number; loading: boolean }) {
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-3 text-neutral-400">
      {loading ? (
        <p>Loading…</p>
      ) : (
        <>
          <p className="text-lg text-neutral-200" data-testid="audit-done">
            Nothing left to audit in this campaign.
          </p>
          <p className="text-sm">
            Other auditors may hold the last samples.{' '}
            <Link href={`/audits/${campaignId}/report`} className="text-neutral-200 underline hover:text-white">
              See the report
            </Link>
          </p>
        </>
      )}
    </div>
  );
}
