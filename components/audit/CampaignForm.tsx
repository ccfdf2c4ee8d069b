'use client';

import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import type { Campaign } from '@/lib/audit/campaigns';
import { MAX_SAMPLE, POPULATION_KINDS, POPULATION_LABELS, type PopulationKind } from '@/lib/audit/constants';
import type { PreviewRequest } from '@/lib/api/audits';
import { filterInputFromParams } from '@/lib/filter/filter-codec';
import * as api from './api';
import { CampaignPreview } from './CampaignPreview';
import { SamplingFields, type SamplingMode } from './SamplingFields';
import { ScopeFields, type DatasetOption } from './ScopeFields';
import { Input } from '@/components/ui/Input';

const number = new Intl.NumberFormat('en-US');

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

/** The preview request the form's fields make, or undefined while a number in them is out of range (said by the flags). */
function campaignSpec(form: {
  datasetId: number | undefined;
  kind: PopulationKind;
  scope: string;
  mode: SamplingMode;
  perStratum: string;
  marginPercent: string;
  seed: string;
}): { spec: PreviewRequest | undefined; samplingValid: boolean; seedValid: boolean } {
  const [family, task] = form.scope.split('/');
  const per = Number(form.perStratum);
  const margin = Number(form.marginPercent) / 100;
  const seed = form.seed.trim() === '' ? undefined : Number(form.seed);
  const samplingValid = form.mode === 'fixed' ? Number.isInteger(per) && per >= 1 && per <= 10_000 : margin > 0 && margin <= 0.5;
  const seedValid = seed === undefined || (Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32);
  const spec: PreviewRequest | undefined =
    form.datasetId !== undefined && samplingValid && seedValid
      ? {
          datasetId: form.datasetId,
          population: { kind: form.kind, filter: family ? { family, task: task || undefined } : undefined },
          sampling: form.mode === 'fixed' ? { mode: 'fixed', perStratum: per } : { mode: 'margin', margin, confidence: 0.95 },
          seed,
        }
      : undefined;
  return { spec, samplingValid, seedValid };
}

/**
 * The form's preset from its URL (/audits?dataset=&family=&task=, what the dataset browser's Audit
 * action links to): the dataset and its scope ('family/' or 'family/task'), where the dataset is one
 * of the options and the family (and task) one of its own; undefined without a dataset.
 */
export function campaignPreset(
  search: URLSearchParams | null,
  datasets: DatasetOption[],
): { datasetId: number; scope: string } | undefined {
  if (!search) return undefined;
  const input = filterInputFromParams(search);
  const dataset = datasets.find((d) => String(d.id) === input.datasetId);
  if (!dataset) return undefined;
  const { family, task } = input;
  const scope = !family
    ? ''
    : task && dataset.tasks.some((t) => t.family === family && t.task === task)
      ? `${family}/${task}`
      : dataset.tasks.some((t) => t.family === family)
        ? `${family}/`
        : '';
  return { datasetId: dataset.id, scope };
}

/**
 * A lead's form for a new audit campaign: which items (population), how many per family/task
 * (fixed, or enough for a margin of error at 95%), the seed, blind or not. The table below
 * previews the population and sample of every stratum before anything is created. Opened from
 * the dataset browser's Audit action, it opens filled in with that dataset, family and task.
 */
export function CampaignForm({ datasets }: { datasets: DatasetOption[] }) {
  const router = useRouter();
  const search = useSearchParams();
  // Read once, as the page opens: later changes are the lead's own.
  const [preset] = useState(() => campaignPreset(search, datasets));
  const [open, setOpen] = useState(preset !== undefined);
  const [name, setName] = useState('');
  const [datasetId, setDatasetId] = useState(preset?.datasetId ?? datasets[0]?.id ?? 0);
  const [kind, setKind] = useState<PopulationKind>('regenerated');
  const [scope, setScope] = useState(preset?.scope ?? '');
  const [mode, setMode] = useState<SamplingMode>('fixed');
  const [perStratum, setPerStratum] = useState('20');
  const [marginPercent, setMarginPercent] = useState('10');
  const [seed, setSeed] = useState('');
  const [blind, setBlind] = useState(true);
  const [created, setCreated] = useState<Campaign>();

  const dataset = datasets.find((d) => d.id === datasetId) ?? datasets[0];
  const { spec, samplingValid, seedValid } = campaignSpec({ datasetId: dataset?.id, kind, scope, mode, perStratum, marginPercent, seed });
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

  if (!open)
    return (
      <NewCampaign
        created={created}
        onOpen={() => {
          setCreated(undefined);
          setOpen(true);
        }}
      />
    );

  const p = preview.data;
  const canCreate =
    !!spec &&
    specKey === settledKey &&
    name.trim() !== '' &&
    !!p &&
    !preview.isPlaceholderData &&
    p.sampleSize > 0 &&
    p.sampleSize <= MAX_SAMPLE &&
    !create.isPending;

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
          <Input
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="e.g. Regenerations, week 12"
            aria-label="Campaign name"
            autoFocus
          />
        </label>
        <ScopeFields
          datasets={datasets}
          dataset={dataset}
          onDataset={(id) => {
            setDatasetId(id);
            setScope('');
          }}
          scope={scope}
          onScope={setScope}
        />

        <fieldset className="flex flex-col gap-1 text-neutral-400">
          <legend className="mb-1">Population</legend>
          {POPULATION_KINDS.map((k) => (
            <label key={k} className="flex items-center gap-2 text-neutral-300">
              <input type="radio" name="population" value={k} checked={kind === k} onChange={() => setKind(k)} />
              {POPULATION_LABELS[k]}
            </label>
          ))}
        </fieldset>

        <SamplingFields
          mode={mode}
          onMode={setMode}
          perStratum={perStratum}
          onPerStratum={setPerStratum}
          marginPercent={marginPercent}
          onMarginPercent={setMarginPercent}
        />

        <div className="flex flex-col gap-3">
          <label className={field}>
            Seed (optional)
            <Input
              value={seed}
              onChange={(e) => setSeed(e.target.value)}
              inputMode="numeric"
              placeholder="random"
              className="tabular-nums"
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
          {p && <CampaignPreview preview={p} updating={preview.isFetching} />}
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

/** The closed form: its button, and what the last one created. */
function NewCampaign({ created, onOpen }: { created: Campaign | undefined; onOpen: () => void }) {
  return (
    <div className="flex flex-wrap items-center gap-4 text-sm">
      <button onClick={onOpen} className="rounded-md bg-neutral-100 px-3 py-1.5 font-medium text-neutral-900 hover:bg-white">
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
