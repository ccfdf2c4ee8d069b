'use client';

import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { post } from '@/lib/api/client';
import type { StartExportAnswer, StartExportRequest } from '@/lib/api/exports';
import { FILE_IMAGE_FORMATS, IMAGE_MODES, type ExportFormat, type ImageMode } from '@/lib/export/formats';
import { Button } from '@/components/ui/Button';
import { Field } from '@/components/ui/Field';
import { Input } from '@/components/ui/Input';
import { Select } from '@/components/ui/Select';

export interface ExportChoices {
  datasets: { id: number; name: string }[];
  families: string[];
  tasks: string[];
  formats: readonly string[];
  /** A selection handed over by "Export these" on the dataset page. */
  preset?: {
    datasetId?: number;
    status?: string;
    family?: string;
    task?: string;
    instructionType?: string;
    /** The shared filter's other terms (reviewer, dates, text, origin, score range). */
    filter: Record<string, string>;
  };
}

const STATUSES = ['accepted', 'rejected', 'pending', 'all'] as const;

/** What each image mode does, as the form says it (README: export --images). */
const IMAGE_LABELS: Record<ImageMode | '', string> = {
  '': 'default (link on the same disk, else copy)',
  copy: 'copy',
  link: 'hard-link (no second copy)',
  none: 'none (store references only)',
};

const startExport = (request: StartExportRequest) => post<StartExportAnswer>('/api/exports', request);

/** Starts an export in the server; it is written under the data folder and downloaded from the list. */
export function NewExportForm({ choices, busy, onStarted }: { choices: ExportChoices; busy: boolean; onStarted: () => void }) {
  const preset = choices.preset;
  const [datasetId, setDatasetId] = useState(preset?.datasetId ? String(preset.datasetId) : '');
  const [status, setStatus] = useState<(typeof STATUSES)[number]>(STATUSES.find((s) => s === preset?.status) ?? 'accepted');
  const [family, setFamily] = useState(preset?.family ?? '');
  const [task, setTask] = useState(preset?.task ?? '');
  const [filter, setFilter] = useState<Record<string, string>>(preset?.filter ?? {});
  const [format, setFormat] = useState(choices.formats[0] ?? 'gpt-edit');
  const [images, setImages] = useState<ImageMode | ''>('');
  // Parquet and WebDataset hold the images in their own files: there is nothing to link or leave out.
  const imagesApply = FILE_IMAGE_FORMATS.includes(format as ExportFormat);
  const start = useMutation({
    mutationFn: () =>
      // Format and type are the page's and the URL's strings; the server checks them (a 400 names a bad one).
      startExport({
        format: format as StartExportRequest['format'],
        status,
        datasetId: datasetId ? Number(datasetId) : undefined,
        family,
        task,
        instructionType: (preset?.instructionType || undefined) as StartExportRequest['instructionType'],
        images: imagesApply && images ? images : undefined,
        filter,
      }),
    onSuccess: onStarted,
  });

  return (
    <form
      aria-label="New export"
      className="mb-8 rounded-lg border border-neutral-800 p-4"
      onSubmit={(event) => {
        event.preventDefault();
        start.mutate();
      }}
    >
      <h2 className="mb-3 text-sm font-medium text-neutral-200">New export</h2>
      <div className="flex flex-wrap items-end gap-3 text-xs text-neutral-500">
        <Field label="Dataset">
          <Select id="export-dataset" size="md" value={datasetId} onChange={(e) => setDatasetId(e.target.value)}>
            <option value="">all datasets</option>
            {choices.datasets.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Status">
          <Select id="export-status" size="md" value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </Select>
        </Field>
        <Field label="Family">
          <Input
            id="export-family"
            size="md"
            className="w-36"
            list="export-families"
            placeholder="any"
            value={family}
            onChange={(e) => setFamily(e.target.value)}
          />
        </Field>
        <datalist id="export-families">
          {choices.families.map((f) => (
            <option key={f} value={f} />
          ))}
        </datalist>
        <Field label="Task">
          <Input
            id="export-task"
            size="md"
            className="w-36"
            list="export-tasks"
            placeholder="any"
            value={task}
            onChange={(e) => setTask(e.target.value)}
          />
        </Field>
        <datalist id="export-tasks">
          {choices.tasks.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <Field label="Format">
          <Select id="export-format" size="md" value={format} onChange={(e) => setFormat(e.target.value)}>
            {choices.formats.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </Select>
        </Field>
        <Field label="Images">
          <Select
            id="export-images"
            size="md"
            value={imagesApply ? images : ''}
            disabled={!imagesApply}
            title={imagesApply ? undefined : `${format} embeds the images in its files`}
            onChange={(e) => setImages(e.target.value as ImageMode | '')}
          >
            {imagesApply ? (
              (['', ...IMAGE_MODES] as const).map((mode) => (
                <option key={mode} value={mode}>
                  {IMAGE_LABELS[mode]}
                </option>
              ))
            ) : (
              <option value="">embedded in its files</option>
            )}
          </Select>
        </Field>
        <Button type="submit" variant="primary" size="md" disabled={busy || start.isPending}>
          {busy ? 'An export is running…' : 'Start export'}
        </Button>
      </div>
      {(Object.keys(filter).length > 0 || preset?.instructionType) && (
        <p className="mt-3 flex flex-wrap items-center gap-2 text-xs text-neutral-400" data-testid="export-extra-filter">
          Also filtered by
          {preset?.instructionType && (
            <span className="rounded bg-neutral-800 px-1.5 py-0.5 text-neutral-200">type: {preset.instructionType}</span>
          )}
          {Object.entries(filter).map(([key, value]) => (
            <span key={key} className="rounded bg-neutral-800 px-1.5 py-0.5 text-neutral-200">
              {key}: {value}
            </span>
          ))}
          <button type="button" className="text-neutral-500 hover:text-neutral-200" onClick={() => setFilter({})}>
            clear
          </button>
        </p>
      )}
      {start.error && (
        <p role="alert" className="mt-3 text-sm text-rose-300">
          {start.error.message}
        </p>
      )}
      <p className="mt-3 text-xs text-neutral-500">
        Written to the server&apos;s data folder (exports/); download it from the list when done. It starts only when that disk has room for
        it: linked images and store references take almost none.
      </p>
    </form>
  );
}
