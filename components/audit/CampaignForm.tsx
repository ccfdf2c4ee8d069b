'use client';

import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import type { Campaign } from '@/lib/audit/campaigns';
import { MAX_SAMPLE, POPULATION_KINDS, POPULATION_LABELS, type PopulationKind } from '@/lib/audit/constants';
import type { PreviewRequest } from '@/lib/api/audits';
import * as api from './api';

const number = new Intl.NumberFormat('en-US');

export interface DatasetOption {
  id: number;
  name: string;
  tasks: { family: string; task: string }[];
}

/** Waits until `value` has been still for `ms`, so typing does not ask for a preview per key. */
function useSettled<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

const field = 'flex flex-col gap-1 text-neutral-400';
const input = 'rounded-md border border-neutral-800 bg-neutral-900 px-2 py-1 text-neutral-200';

/**
 * A lead's form for a new audit campaign: which items (population), how many per family/task
 * (fixed, or enough for a margin of error at 95%), the seed, blind or not. The table below
 * previews the population and sample of every stratum before anything is created.
 */
export function CampaignForm({ datasets }: { datasets: DatasetOption[] }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [datasetId, setDatasetId] = useState(datasets[0]?.id ?? 0);
  const [kind, setKind] = useState<PopulationKind>('regenerated');
  const [scope, setScope] = useState('');
  const [mode, setMode] = useState<'fixed' | 'margin'>('fixed');
  const [perStratum, setPerStratum] = useState('20');
  const [marginPercent, setMarginPercent] = useState('10');
  const [seed, setSeed] = useState('');
  const [blind, setBlind] = useState(true);
  const [created, setCreated] = useState<Campaign>();

  const dataset = datasets.find((d) => d.id === datasetId) ?? datasets[0];
  const [family, task] = scope.split('/');
  const per = Number(perStratum);
  const margin = Number(marginPercent) / 100;
  const seedValue = seed.trim() === '' ? undefined : Number(seed);
  const samplingValid = mode === 'fixed' ? Number.isInteger(per) && per >= 1 && per <= 10_000 : margin > 0 && margin <= 0.5;
  const seedValid = seedValue === undefined || (Number.isInteger(seedValue) && seedValue >= 0 && seedValue < 2 ** 32);

  const spec: PreviewRequest | undefined =
    dataset && samplingValid && seedValid
      ? {
          datasetId: dataset.id,
          population: { kind, filter: family ? { family, task: task || undefined } : undefined },
          sampling: mode === 'fixed' ? { mode, perStratum: per } : { mode, margin, confidence: 0.95 },
          seed: seedValue,
        }
      : undefined;
  // Compared as text: the spec is a new object on every render.
  const specKey = spec ? JSON.stringify(spec) : '';
  const settledKey = useSettled(specKey);
  const settled: PreviewRequest | undefined = settledKey ? JSON.parse(settledKey) : undefined;

  const preview = useQuery({
    enabled: open && settled !== undefined,
    queryKey: ['audit-preview', settledKey],
    queryFn: () => api.preview(settled!),
    retry: false,
    // The last table stays while the next one loads.
    placeholderData: keepPreviousData,
  });
  const create = useMutation({
    mutationFn: () => api.create({ ...spec!, name: name.trim(), blind }),
    onSuccess: (campaign) => {
      setCreated(campaign);
      setOpen(false);
      setName('');
      router.refresh();
    },
  });

  if (!dataset) return <p className="text-sm text-neutral-500">Import a dataset first; audits sample its items.</p>;

  if (!open) {
    return (
      <div className="flex flex-wrap items-center gap-4 text-sm">
        <button
          onClick={() => {
            setCreated(undefined);
            setOpen(true);
          }}
          className="rounded-md bg-neutral-100 px-3 py-1.5 font-medium text-neutral-900 hover:bg-white"
        >
          New campaign
        </button>
        {created && (
          <p className="text-emerald-400" role="status">
            Created “{created.name}”: {number.format(created.sampleSize)} samples of {number.format(created.populationSize)} items.{' '}
            <Link href={`/audits/${created.id}`} className="underline hover:text-emerald-300">
              Start auditing
            </Link>
          </p>
        )}
      </div>
    );
  }

  const p = preview.data;
  const canCreate = !!spec && specKey === settledKey && name.trim() !== '' && !!p && !preview.isPlaceholderData && p.sampleSize > 0 && p.sampleSize <= MAX_SAMPLE && !create.isPending;

  return (
    <section className="rounded-lg border border-neutral-800 bg-neutral-900/40 p-4 text-sm" data-testid="campaign-form">
      <form
        className="grid gap-4 md:grid-cols-[repeat(3,minmax(0,1fr))]"
        onSubmit={(event) => {
          event.preventDefault();
          if (canCreate) create.mutate();
        }}
      >
        <label className={field}>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Regenerations, week 12" className={input} aria-label="Campaign name" autoFocus />
        </label>
        <label className={field}>
          Dataset
          <select
            value={dataset.id}
            onChange={(e) => {
              setDatasetId(Number(e.target.value));
              setScope('');
            }}
            className={input}
            aria-label="Dataset"
          >
            {datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label className={field}>
          Families and tasks
          <select value={scope} onChange={(e) => setScope(e.target.value)} className={input} aria-label="Families and tasks">
            <option value="">All families and tasks</option>
            {[...new Set(dataset.tasks.map((t) => t.family))].map((f) => (
              <optgroup key={f} label={f}>
                <option value={`${f}/`}>{f}: all tasks</option>
                {dataset.tasks
                  .filter((t) => t.family === f)
                  .map((t) => (
                    <option key={t.task} value={`${f}/${t.task}`}>
                      {f} / {t.task}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        </label>

        <fieldset className="flex flex-col gap-1 text-neutral-400">
          <legend className="mb-1">Population</legend>
          {POPULATION_KINDS.map((k) => (
            <label key={k} className="flex items-center gap-2 text-neutral-300">
              <input type="radio" name="population" value={k} checked={kind === k} onChange={() => setKind(k)} />
              {POPULATION_LABELS[k]}
            </label>
          ))}
        </fieldset>

        <fieldset className="flex flex-col gap-2 text-neutral-400">
          <legend className="mb-1">Sample per family/task</legend>
          <label className="flex items-center gap-2 text-neutral-300">
            <input type="radio" name="sampling" value="fixed" checked={mode === 'fixed'} onChange={() => setMode('fixed')} />
            Fixed:
            <input
              type="number"
              min={1}
              max={10000}
              value={perStratum}
              onChange={(e) => setPerStratum(e.target.value)}
              onFocus={() => setMode('fixed')}
              className={`${input} w-20 text-right tabular-nums`}
              aria-label="Items per stratum"
            />
            items
          </label>
          <label className="flex items-center gap-2 text-neutral-300">
            <input type="radio" name="sampling" value="margin" checked={mode === 'margin'} onChange={() => setMode('margin')} />
            Margin of error ±
            <input
              type="number"
              min={1}
              max={50}
              step={0.5}
              value={marginPercent}
              onChange={(e) => setMarginPercent(e.target.value)}
              onFocus={() => setMode('margin')}
              className={`${input} w-20 text-right tabular-nums`}
              aria-label="Margin of error percent"
            />
            % at 95%
          </label>
        </fieldset>

        <div className="flex flex-col gap-3">
          <label className={field}>
            Seed (optional)
            <input
              value={seed}
              onChange={(e) => setSeed(e.target.value)}
              inputMode="numeric"
              placeholder="random"
              className={`${input} tabular-nums`}
              aria-label="Seed"
            />
          </label>
          <label className="flex items-center gap-2 text-neutral-300">
            <input type="checkbox" checked={blind} onChange={(e) => setBlind(e.target.checked)} aria-label="Blind" />
            Blind: auditors do not see reviewers’ verdicts
          </label>
        </div>

        <div className="md:col-span-3">
          {!samplingValid && (
            <p className="text-amber-300">
              {mode === 'fixed' ? 'Items per stratum: a whole number from 1 to 10,000.' : 'Margin of error: more than 0 and at most 50%.'}
            </p>
          )}
          {!seedValid && <p className="text-amber-300">The seed is a whole number from 0 to 4,294,967,295.</p>}
          {preview.isError && (
            <p className="text-rose-300" role="alert">
              {preview.error.message}
            </p>
          )}
          {p && (
            <div data-testid="campaign-preview">
              <p className="mb-2 text-neutral-400">
                <span className="text-neutral-100 tabular-nums">{number.format(p.sampleSize)}</span> samples from{' '}
                <span className="text-neutral-100 tabular-nums">{number.format(p.populationSize)}</span> items in {p.strata.length}{' '}
                {p.strata.length === 1 ? 'stratum' : 'strata'}
                {preview.isFetching && <span className="text-neutral-600"> · updating…</span>}
              </p>
              {p.sampleSize > MAX_SAMPLE && (
                <p className="mb-2 text-amber-300">At most {number.format(MAX_SAMPLE)} samples: allow a wider margin or fewer per stratum.</p>
              )}
              {p.populationSize === 0 && <p className="mb-2 text-amber-300">No items of this dataset are in the population.</p>}
              {p.strata.length > 0 && (
                <div className="max-h-64 max-w-2xl overflow-auto rounded-md border border-neutral-800">
                  <table className="w-full text-left tabular-nums">
                    <thead className="sticky top-0 bg-neutral-900 text-xs uppercase tracking-wide text-neutral-500">
                      <tr>
                        <th className="px-3 py-1.5 font-normal">Family / task</th>
                        <th className="px-3 py-1.5 text-right font-normal">Population</th>
                        <th className="px-3 py-1.5 text-right font-normal">Sample</th>
                      </tr>
                    </thead>
                    <tbody>
                      {p.strata.map((s) => (
                        <tr key={s.stratum} className="border-t border-neutral-800/70" data-testid="preview-stratum">
                          <td className="px-3 py-1 text-neutral-300">{s.stratum}</td>
                          <td className="px-3 py-1 text-right text-neutral-400">{number.format(s.size)}</td>
                          <td className="px-3 py-1 text-right text-neutral-200">{number.format(s.sample)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </div>
          )}
        </div>

        <div className="flex items-center gap-3 md:col-span-3">
          <button
            disabled={!canCreate}
            className="rounded-md bg-neutral-100 px-3 py-1.5 font-medium text-neutral-900 hover:bg-white disabled:opacity-40"
          >
            {create.isPending ? 'Drawing the sample…' : 'Create campaign'}
          </button>
          <button type="button" onClick={() => setOpen(false)} className="px-2 text-neutral-500 hover:text-neutral-200">
            Cancel
          </button>
          {name.trim() === '' && <span className="text-xs text-neutral-500">Name the campaign to create it.</span>}
          {create.isError && (
            <span className="text-rose-300" role="alert">
              {create.error.message}
            </span>
          )}
        </div>
      </form>
    </section>
  );
}
