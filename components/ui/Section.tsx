import type { ReactNode } from 'react';

/** A titled part of a report page (dashboard, team, audit report), with an optional note under the title. */
export function Section({ title, note, children }: { title: string; note?: ReactNode; children: ReactNode }) {
  return (
    <section className="mt-10">
      <h2 className="text-sm font-medium text-neutral-200">{title}</h2>
      {note && <p className="mt-1 text-sm text-neutral-500">{note}</p>}
      <div className="mt-4">{children}</div>
    </section>
  );
}
