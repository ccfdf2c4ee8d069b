'use client';

import Link from 'next/link';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ShortcutDialog, type ShortcutGroup } from '@/components/ShortcutDialog';
import { isTyping } from '@/components/keyboard';
import { ImagePair, type PairImage } from '@/components/review/ImagePair';
import { useActivity } from '@/components/review/useActivity';
import { useHolder } from '@/components/review/useReviewer';
import { RUBRIC } from '@/lib/audit/rubric';
import type { RubricDimension } from '@/lib/audit/spec';
import type { AuditItem, AuditProgress } from '@/lib/audit/work';
import * as api from './api';
import { EMPTY_SCORES, Rubric, type Scores } from './Rubric';

const number = new Intl.NumberFormat('en-US');

/** The server's lease is 5 minutes; an active page renews it well before that, an idle one lets it go. */
const RENEW_AFTER_MS = 2 * 60_000;
const IDLE_AFTER_MS = 4 * 60_000;

export interface AuditCampaignInfo {
  id: number;
  name: string;
  datasetName: string;
  blind: boolean;
}

const SHORTCUTS: ShortcutGroup[] = [
  {
    title: 'Score',
    keys: [
      ['i', 'instruction following'],
      ['p', 'identity preservation'],
      ['q', 'visual quality'],
      ['↑ ↓', 'previous / next scale'],
      ['0–9', 'score the scale, then go to the next'],
      ['t', 'score 10'],
      ['← →', 'one point down / up'],
    ],
  },
  {
    title: 'Decide',
    keys: [
      ['Enter', 'pass (all three scored)'],
      ['f', 'fail (all three scored)'],
      ['n', 'write a note (Enter or Esc to leave it)'],
      ['?', 'these shortcuts'],
    ],
  },
];

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

/** The first scale without a score at or after `from` (wrapping), or -1 when all are scored. */
function nextUnscored(scores: Scores, from: number): number {
  for (let step = 0; step < RUBRIC.length; step++) {
    const index = (from + step) % RUBRIC.length;
    if (scores[RUBRIC[index].dimension] === null) return index;
  }
  return -1;
}

/** The audit page: one sample at a time, scored on the rubric by keyboard, then passed or failed. */
export function AuditApp({ campaign, auditor }: { campaign: AuditCampaignInfo; auditor: string }) {
  const holder = useHolder();
  const [item, setItem] = useState<AuditItem | null>(null);
  const [progress, setProgress] = useState<AuditProgress>();
  const [loading, setLoading] = useState(true);
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string>();
  const [scores, setScores] = useState<Scores>(EMPTY_SCORES);
  const [active, setActive] = useState(0);
  const [note, setNote] = useState('');
  const [help, setHelp] = useState(false);
  const shownAt = useRef(0);
  const claimedAt = useRef(0);
  const activeAt = useRef(Date.now());
  const noteRef = useRef<HTMLInputElement>(null);

  const show = useCallback((next: AuditItem | null) => {
    setItem(next);
    setScores(EMPTY_SCORES);
    setActive(0);
    setNote('');
    shownAt.current = performance.now();
  }, []);

  const claimNext = useCallback(async () => {
    if (!holder) return;
    setLoading(true);
    try {
      const claimed = await api.claim(campaign.id, holder);
      claimedAt.current = Date.now();
      setProgress(claimed.progress);
      show(claimed.sample);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setLoading(false);
    }
  }, [campaign.id, holder, show]);

  useEffect(() => {
    void claimNext();
  }, [claimNext]);

  // Closing the page gives its sample back at once rather than after the lease runs out.
  useEffect(() => {
    if (!holder) return;
    const release = () => api.releaseOnUnload(campaign.id, holder);
    window.addEventListener('pagehide', release);
    return () => window.removeEventListener('pagehide', release);
  }, [campaign.id, holder]);

  // Renew the hold while the auditor is at the page (a claim returns the sample the page holds).
  useActivity(() => {
    activeAt.current = Date.now();
    if (!holder || !item || sending || Date.now() - claimedAt.current < RENEW_AFTER_MS) return;
    claimedAt.current = Date.now();
    api.claim(campaign.id, holder).then(
      (claimed) => setProgress(claimed.progress),
      () => undefined, // the next result or claim reports trouble
    );
  });
  useEffect(() => {
    if (!holder) return;
    const timer = setInterval(() => {
      const idle = Date.now() - activeAt.current > IDLE_AFTER_MS;
      if (!idle && item && !sending && Date.now() - claimedAt.current >= RENEW_AFTER_MS) {
        claimedAt.current = Date.now();
        api.claim(campaign.id, holder).then((claimed) => setProgress(claimed.progress), () => undefined);
      }
    }, 30_000);
    return () => clearInterval(timer);
  }, [campaign.id, holder, item, sending]);

  const score = (dimension: RubricDimension, value: number) => {
    const next = { ...scores, [dimension]: Math.max(0, Math.min(10, value)) };
    setScores(next);
    setError(undefined);
    const index = RUBRIC.findIndex((s) => s.dimension === dimension);
    const following = nextUnscored(next, index + 1);
    if (following !== -1) setActive(following);
  };

  const submit = async (pass: boolean) => {
    if (!item || !holder || sending) return;
    const missing = nextUnscored(scores, 0);
    if (missing !== -1) {
      setActive(missing);
      setError(`Score ${RUBRIC[missing].label.toLowerCase()} first (${RUBRIC[missing].key}, then 0–9 or t for 10).`);
      return;
    }
    setSending(true);
    setError(undefined);
    try {
      await api.sendResult(campaign.id, {
        holder,
        itemId: item.itemId,
        instructionFollowing: scores.instructionFollowing!,
        identityPreservation: scores.identityPreservation!,
        visualQuality: scores.visualQuality!,
        pass,
        note: note.trim() || undefined,
        msSpent: Math.round(performance.now() - shownAt.current),
      });
      await claimNext();
    } catch (e) {
      const failure = e as api.AuditApiError;
      if (failure.status === 409) {
        setError(`${failure.message}. Here is the next one.`);
        await claimNext();
      } else setError(failure.message);
    } finally {
      setSending(false);
    }
  };

  const onKey = useRef<(e: KeyboardEvent) => void>(() => undefined);
  onKey.current = (e: KeyboardEvent) => {
    if (isTyping(e.target) || e.metaKey || e.ctrlKey || e.altKey) return;
    const key = e.key;
    // Enter on a focused link or button is that control's own (Pass and Fail do what Enter and f do).
    if (key === 'Enter' && e.target instanceof HTMLElement && (e.target.tagName === 'A' || e.target.tagName === 'BUTTON')) return;
    if (help) {
      if (key === 'Escape' || key === '?') setHelp(false);
      e.preventDefault();
      return;
    }
    if (key === '?') {
      e.preventDefault();
      setHelp(true);
      return;
    }
    if (!item) return;
    const dimension = RUBRIC[active].dimension;
    const current = scores[dimension];
    const bySelect = RUBRIC.findIndex((s) => s.key === key);
    let handled = true;
    if (bySelect !== -1) setActive(bySelect);
    else if (/^[0-9]$/.test(key)) score(dimension, Number(key));
    else if (key === 't') score(dimension, 10);
    else if (key === 'ArrowLeft') score(dimension, (current ?? 1) - 1);
    else if (key === 'ArrowRight') score(dimension, (current ?? -1) + 1);
    else if (key === 'ArrowUp') setActive((a) => (a + RUBRIC.length - 1) % RUBRIC.length);
    else if (key === 'ArrowDown') setActive((a) => (a + 1) % RUBRIC.length);
    else if (key === 'Enter') void submit(true);
    else if (key === 'f') void submit(false);
    else if (key === 'n') noteRef.current?.focus();
    else if (key === 'Escape') setError(undefined);
    else handled = false;
    if (handled) e.preventDefault();
  };
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey.current(e);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);

  const pair = useMemo(() => (item ? pairOf(item) : undefined), [item]);
  const scored = nextUnscored(scores, 0) === -1;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex flex-wrap items-center gap-3 border-b border-neutral-800 px-4 py-2 text-sm">
        <Link href="/audits" className="text-neutral-400 hover:text-neutral-100">
          Audits
        </Link>
        <span className="text-neutral-600">/</span>
        <span className="font-medium text-neutral-100">{campaign.name}</span>
        <span className="text-neutral-500">{campaign.datasetName}</span>
        {campaign.blind && (
          <span className="rounded bg-neutral-800 px-1.5 py-0.5 text-xs text-neutral-400" title="Reviewers' verdicts are hidden">
            blind
          </span>
        )}
        {progress && (
          <div className="ml-auto flex items-center gap-3" data-testid="audit-progress">
            <div className="h-1.5 w-40 overflow-hidden rounded-full bg-neutral-800">
              <div
                className="h-full bg-neutral-300"
                style={{ width: `${progress.sampled ? (100 * progress.audited) / progress.sampled : 0}%` }}
              />
            </div>
            <span className="tabular-nums text-neutral-400">
              <span className="text-neutral-100">{number.format(progress.audited)}</span> / {number.format(progress.sampled)} audited
              {progress.mine > 0 && <span className="text-neutral-500"> · {number.format(progress.mine)} by you</span>}
            </span>
          </div>
        )}
        <span className={progress ? '' : 'ml-auto'} />
        <span className="text-neutral-500">
          as <span className="text-neutral-300">{auditor}</span>
        </span>
        <Link href={`/audits/${campaign.id}/report`} className="text-neutral-400 hover:text-neutral-100">
          Report
        </Link>
        <button onClick={() => setHelp(true)} className="text-neutral-500 hover:text-neutral-200" aria-label="Keyboard shortcuts">
          <kbd>?</kbd>
        </button>
      </div>

      {error && (
        <div role="alert" data-testid="audit-error" className="flex items-center gap-3 border-b border-amber-900/60 bg-amber-950/40 px-4 py-2 text-sm text-amber-200">
          {error}
          <button className="ml-auto text-amber-400 hover:text-amber-200" onClick={() => setError(undefined)}>
            Dismiss
          </button>
        </div>
      )}

      {!item ? (
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
                <Link href={`/audits/${campaign.id}/report`} className="text-neutral-200 underline hover:text-white">
                  See the report
                </Link>
              </p>
            </>
          )}
        </div>
      ) : (
        <>
          <div className="min-h-0 flex-1 px-4 pt-4 pb-2" data-testid="audit-item" data-item-id={item.itemId}>
            {pair && <ImagePair left={pair[0]} right={pair[1]} />}
          </div>

          <div className="border-t border-neutral-800 bg-neutral-900/50 px-6 py-4">
            <div className="mx-auto flex max-w-6xl items-start gap-8">
              <div className="min-w-0 flex-1">
                <p className="text-xs uppercase tracking-wide text-neutral-500">Instruction · {item.instructionKind}</p>
                <p className="mt-1 text-base text-neutral-100" data-testid="audit-instruction">
                  {item.instruction}
                </p>
                {item.inputDescription && <p className="mt-1 text-sm text-neutral-500">Source: {item.inputDescription}</p>}
                {item.version && (
                  <p className="mt-1 flex flex-wrap gap-2 text-xs text-neutral-400" data-testid="audit-version">
                    <span>{item.version.text}</span>
                    {item.version.newer.map((text) => (
                      <span key={text} className="rounded bg-amber-500/15 px-1.5 text-amber-300">
                        {text}
                      </span>
                    ))}
                  </p>
                )}
              </div>
              {item.verdicts && (
                <div className="w-64 shrink-0 rounded-lg border border-neutral-800 p-3 text-xs" data-testid="audit-verdicts">
                  <p className="mb-1.5 uppercase tracking-wide text-neutral-500">Reviewers</p>
                  {item.verdicts.length === 0 ? (
                    <p className="text-neutral-500">No verdict yet.</p>
                  ) : (
                    <ul className="space-y-1">
                      {item.verdicts.map((v, i) => (
                        <li key={i} className="text-neutral-300">
                          <span className="text-neutral-200">{v.reviewer}</span>{' '}
                          <span className={v.decision === 'accept' ? 'text-emerald-400' : 'text-rose-400'}>{v.decision}</span>
                          {v.kind === 'adjudication' && <span className="text-neutral-500"> (adjudication)</span>}
                          {v.reasons.length > 0 && <span className="text-neutral-500"> · {v.reasons.join(', ').replace(/_/g, ' ')}</span>}
                          {v.comment && <span className="block text-neutral-500">“{v.comment}”</span>}
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              )}
              <dl className="grid shrink-0 grid-cols-[auto_auto] gap-x-3 gap-y-1 text-xs">
                <dt className="text-neutral-500">family</dt>
                <dd className="text-neutral-200">{item.family}</dd>
                <dt className="text-neutral-500">task</dt>
                <dd className="text-neutral-200">{item.task}</dd>
                <dt className="text-neutral-500">sample</dt>
                <dd className="tabular-nums text-neutral-400">#{item.position + 1}</dd>
                <dt className="text-neutral-500">id</dt>
                <dd className="max-w-48 truncate font-mono text-neutral-400" title={item.externalId}>
                  {item.externalId}
                </dd>
              </dl>
            </div>

            <div className="mx-auto mt-4 max-w-6xl">
              <Rubric scores={scores} active={active} onSelect={setActive} onScore={score} />
            </div>

            <div className="mx-auto mt-3 flex max-w-6xl flex-wrap items-center gap-2">
              <button
                data-testid="audit-pass"
                onClick={() => void submit(true)}
                disabled={sending}
                className={`flex items-center gap-2 rounded-md px-3 py-1.5 text-sm font-medium ${
                  scored ? 'bg-emerald-600 text-white hover:bg-emerald-500' : 'bg-emerald-900/40 text-emerald-200/70'
                }`}
              >
                Pass <kbd className="border-current/30 bg-black/20 text-current opacity-80">Enter</kbd>
              </button>
              <button
                data-testid="audit-fail"
                onClick={() => void submit(false)}
                disabled={sending}
                className={`flex items-center gap-2 rounded-md px-3 py-1.5 text-sm font-medium ${
                  scored ? 'bg-rose-600 text-white hover:bg-rose-500' : 'bg-rose-900/40 text-rose-200/70'
                }`}
              >
                Fail <kbd className="border-current/30 bg-black/20 text-current opacity-80">f</kbd>
              </button>
              <label className="ml-4 flex min-w-64 flex-1 items-center gap-2 text-sm text-neutral-500">
                <kbd>n</kbd>
                <input
                  ref={noteRef}
                  value={note}
                  onChange={(e) => setNote(e.target.value)}
                  onKeyDown={(e) => {
                    if (e.key === 'Enter' || e.key === 'Escape') {
                      e.preventDefault();
                      e.currentTarget.blur();
                    }
                  }}
                  maxLength={4000}
                  placeholder="Note (optional): what is wrong, what to look at"
                  aria-label="Audit note"
                  className="w-full rounded-md border border-neutral-800 bg-neutral-950 px-2 py-1 text-neutral-200 placeholder:text-neutral-600 focus:border-neutral-600 focus:outline-none"
                />
              </label>
            </div>
          </div>
        </>
      )}
      {help && <ShortcutDialog groups={SHORTCUTS} onClose={() => setHelp(false)} />}
    </div>
  );
}
