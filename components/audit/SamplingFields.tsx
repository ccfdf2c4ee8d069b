'use client';

import { Input } from '@/components/ui/Input';

export type SamplingMode = 'fixed' | 'margin';

/** How many samples per family/task: a fixed number, or enough for a margin of error at 95%. Focusing a number picks its mode. */
export function SamplingFields(props: {
  mode: SamplingMode;
  onMode: (mode: SamplingMode) => void;
  perStratum: string;
  onPerStratum: (value: string) => void;
  marginPercent: string;
  onMarginPercent: (value: string) => void;
}) {
  const { mode, onMode } = props;
  return (
    <fieldset className="flex flex-col gap-2 text-neutral-400">
      <legend className="mb-1">Sample per family/task</legend>
      <label className="flex items-center gap-2 text-neutral-300">
        <input type="radio" name="sampling" value="fixed" checked={mode === 'fixed'} onChange={() => onMode('fixed')} />
        Fixed:
        <Input
          type="number"
          min={1}
          max={10000}
          value={props.perStratum}
          onChange={(e) => props.onPerStratum(e.target.value)}
          onFocus={() => onMode('fixed')}
          className="w-20 text-right tabular-nums"
          aria-label="Items per stratum"
        />
        items
      </label>
      <label className="flex items-center gap-2 text-neutral-300">
        <input type="radio" name="sampling" value="margin" checked={mode === 'margin'} onChange={() => onMode('margin')} />
        Margin of error ±
        <Input
          type="number"
          min={1}
          max={50}
          step={0.5}
          value={props.marginPercent}
          onChange={(e) => props.onMarginPercent(e.target.value)}
          onFocus={() => onMode('margin')}
          className="w-20 text-right tabular-nums"
          aria-label="Margin of error percent"
        />
        % at 95%
      </label>
    </fieldset>
  );
}
