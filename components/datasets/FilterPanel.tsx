'use client';

import { useState, type ReactElement } from 'react';
import { Button } from '@/components/ui/Button';
import { Field } from '@/components/ui/Field';
import { Input } from '@/components/ui/Input';
import { Select } from '@/components/ui/Select';
import { cx } from '@/components/ui/cx';
import { chipsOf, dayOf, TERM_LABELS, type FormTerm, type FormTerms } from './filter-form';

export interface FilterOptions {
  tasks: { family: string; task: string; total: number }[];
  scoreNames: readonly string[];
  signalNames: readonly string[];
  /** Leads may filter by status, reviewer and verdict dates. */
  seesVerdicts: boolean;
}

const number = new Intl.NumberFormat('en-US');

/** A labelled control with its problem, if any, written under it (aria-describedby ties them). */
function Term({
  term,
  problems,
  className,
  children,
}: {
  term: FormTerm;
  problems: Partial<Record<FormTerm, string>>;
  className?: string;
  children: ReactElement<{ id?: string }>;
}) {
  const problem = problems[term];
  return (
    <div className={cx('flex flex-col', className)}>
      <Field label={TERM_LABELS[term]}>{children}</Field>
      {problem && (
        <p id={`problem-${term}`} className="mt-1 text-xs text-rose-300" data-testid={`problem-${term}`}>
          {problem}
        </p>
      )}
    </div>
  );
}

/** A named value with its min and max beside it, in one labelled group. */
function RangeGroup({ children, label }: { children: React.ReactNode; label: string }) {
  return (
    <fieldset className="flex items-start gap-2 rounded-md border border-neutral-800/70 px-2.5 pb-2 pt-1">
      <legend className="px-1 text-xs text-neutral-500">{label}</legend>
      {children}
    </fieldset>
  );
}

/**
 * The browser's filter panel: every control labelled, each range's min and max beside its select,
 * a bad value explained under its field (what was typed stays), the active terms as chips above.
 * Apply sends the terms; the page checks them before it changes the URL.
 */
export function FilterPanel({
  applied,
  active,
  problems,
  options,
  onApply,
  onRemove,
}: {
  /** The terms the form starts from (the URL's, or what Apply refused). */
  applied: FormTerms;
  /** The terms in effect (the URL's): what the chips show. */
  active: FormTerms;
  problems: Partial<Record<FormTerm, string>>;
  options: FilterOptions;
  onApply: (terms: FormTerms) => void;
  onRemove: (clears: FormTerm[]) => void;
}) {
  const [terms, setTerms] = useState<FormTerms>(applied);
  // Open while a term other than the search is set (what is applied can be changed at once), or one is wrong.
  const [open, setOpen] = useState(Object.keys(problems).length > 0 || chipsOf(applied).some((chip) => !chip.clears.includes('search')));
  // The URL changed (a chip removed, back/forward): the form follows it.
  const [seen, setSeen] = useState(applied);
  if (seen !== applied) {
    setSeen(applied);
    setTerms(applied);
    if (Object.keys(problems).length > 0) setOpen(true);
  }
  const set = (term: FormTerm) => (event: { target: { value: string } }) => setTerms((t) => ({ ...t, [term]: event.target.value }));
  const value = (term: FormTerm) => terms[term] ?? '';
  const described = (term: FormTerm) => (problems[term] ? { 'aria-invalid': true, 'aria-describedby': `problem-${term}` } : {});
  const families = [...new Set(options.tasks.map((t) => t.family))];
  const chips = chipsOf(active).filter((chip) => !chip.clears.includes('search'));

  return (
    <section className="mb-4 rounded-lg border border-neutral-800 bg-neutral-900/40" aria-label="Filters">
      <div className="flex flex-wrap items-center gap-2 px-3 py-2">
        <Button size="xs" variant="ghost" onClick={() => setOpen((o) => !o)} aria-expanded={open} data-testid="filters-toggle">
          {open ? '▾' : '▸'} Filters
        </Button>
        {chips.length === 0 && <span className="text-xs text-neutral-400">none: every item of the dataset</span>}
        <ul className="flex flex-wrap gap-1.5" aria-label="Active filters">
          {chips.map((chip) => (
            <li
              key={chip.label}
              className="flex items-center gap-1 rounded-full border border-neutral-700 bg-neutral-800/60 py-0.5 pl-2.5 pr-1 text-xs text-neutral-200"
              data-testid="filter-chip"
            >
              {chip.label}
              <button
                type="button"
                onClick={() => onRemove(chip.clears)}
                aria-label={`Remove filter ${chip.label}`}
                className="rounded-full px-1 text-neutral-500 hover:bg-neutral-700 hover:text-neutral-100 focus-visible:outline-2 focus-visible:outline-sky-400"
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      </div>
      {open && (
        <form
          className="flex flex-wrap items-start gap-x-4 gap-y-3 border-t border-neutral-800 px-3 py-3 text-sm"
          onSubmit={(event) => {
            event.preventDefault();
            onApply(terms);
          }}
          noValidate
        >
          <Term term="family" problems={problems}>
            <Select
              value={terms.family ? `${terms.family}/${terms.task ?? ''}` : ''}
              onChange={(event) => {
                const [family, ...task] = event.target.value.split('/');
                setTerms((t) => ({ ...t, family: family || undefined, task: task.join('/') || undefined }));
              }}
              {...described('family')}
            >
              <option value="">All families and tasks</option>
              {families.map((f) => (
                <optgroup key={f} label={f}>
                  <option value={`${f}/`}>{f}: all tasks</option>
                  {options.tasks
                    .filter((t) => t.family === f)
                    .map((t) => (
                      <option key={t.task} value={`${f}/${t.task}`}>
                        {f} / {t.task} ({number.format(t.total)})
                      </option>
                    ))}
                </optgroup>
              ))}
            </Select>
          </Term>
          <Term term="instructionType" problems={problems}>
            <Select value={value('instructionType')} onChange={set('instructionType')}>
              <option value="">Any</option>
              <option value="original">original</option>
              <option value="rewrite">rewrite</option>
              <option value="complex">complex</option>
            </Select>
          </Term>
          {options.seesVerdicts && (
            <>
              <Term term="status" problems={problems}>
                <Select value={value('status')} onChange={set('status')} {...described('status')}>
                  <option value="">Any</option>
                  <option value="pending">pending</option>
                  <option value="accepted">accepted</option>
                  <option value="rejected">rejected</option>
                  <option value="disputed">disputed</option>
                </Select>
              </Term>
              <Term term="reviewer" problems={problems}>
                <Input value={value('reviewer')} onChange={set('reviewer')} placeholder="anyone" className="w-28" />
              </Term>
              <Term term="from" problems={problems}>
                <Input type="date" value={dayOf(terms.from)} onChange={set('from')} />
              </Term>
              <Term term="to" problems={problems}>
                <Input type="date" value={dayOf(terms.to)} onChange={set('to')} {...described('to')} />
              </Term>
            </>
          )}
          <Term term="text" problems={problems}>
            <Input value={value('text')} onChange={set('text')} placeholder="exact text" className="w-40" />
          </Term>
          <Term term="origin" problems={problems}>
            <Select value={value('origin')} onChange={set('origin')}>
              <option value="">Any</option>
              <option value="dataset">from the dataset</option>
              <option value="regenerated">regenerated</option>
            </Select>
          </Term>
          <RangeGroup label="Imported score">
            <Term term="score" problems={problems}>
              <Select value={value('score')} onChange={set('score')}>
                <option value="">None</option>
                {options.scoreNames.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </Select>
            </Term>
            <Term term="scoreMin" problems={problems} className="w-24">
              <Input inputMode="decimal" value={value('scoreMin')} onChange={set('scoreMin')} className="w-24" {...described('scoreMin')} />
            </Term>
            <Term term="scoreMax" problems={problems} className="w-24">
              <Input inputMode="decimal" value={value('scoreMax')} onChange={set('scoreMax')} className="w-24" {...described('scoreMax')} />
            </Term>
          </RangeGroup>
          <RangeGroup label="Computed signal">
            <Term term="signal" problems={problems}>
              <Select value={value('signal')} onChange={set('signal')} title="Signals Loupe computed for the current edited image">
                <option value="">None</option>
                {options.signalNames.map((name) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </Select>
            </Term>
            <Term term="signalMin" problems={problems} className="w-24">
              <Input
                inputMode="decimal"
                value={value('signalMin')}
                onChange={set('signalMin')}
                className="w-24"
                {...described('signalMin')}
              />
            </Term>
            <Term term="signalMax" problems={problems} className="w-24">
              <Input
                inputMode="decimal"
                value={value('signalMax')}
                onChange={set('signalMax')}
                className="w-24"
                {...described('signalMax')}
              />
            </Term>
          </RangeGroup>
          <Term term="sort" problems={problems}>
            <Select
              value={value('sort')}
              onChange={set('sort')}
              title="Sorting by a signal (or else the score) lists only the items that have it"
              {...described('sort')}
            >
              <option value="">Family / task order</option>
              <option value="desc">signal or score, highest first</option>
              <option value="asc">signal or score, lowest first</option>
            </Select>
          </Term>
          <div className="ml-auto flex items-end gap-2 self-end">
            <Button type="button" variant="ghost" onClick={() => setTerms(applied)}>
              Reset
            </Button>
            <Button type="submit">Apply</Button>
          </div>
        </form>
      )}
    </section>
  );
}
