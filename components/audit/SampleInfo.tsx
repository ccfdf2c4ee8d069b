'use client';

import type { AuditItem } from '@/lib/audit/work';

/** What the auditor reads beside the pair: the instruction and its version, the reviewers' verdicts (unless blind), and the sample's facts. */
export function SampleInfo({ item }: { item: AuditItem }) {
  return (
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
      {item.verdicts && <Verdicts verdicts={item.verdicts} />}
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
  );
}

function Verdicts({ verdicts }: { verdicts: NonNullable<AuditItem['verdicts']> }) {
  return (
    <div className="w-64 shrink-0 rounded-lg border border-neutral-800 p-3 text-xs" data-testid="audit-verdicts">
      <p className="mb-1.5 uppercase tracking-wide text-neutral-500">Reviewers</p>
      {verdicts.length === 0 ? (
        <p className="text-neutral-500">No verdict yet.</p>
      ) : (
        <ul className="space-y-1">
          {verdicts.map((v, i) => (
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
  );
}
