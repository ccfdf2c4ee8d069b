import type { HistoryEvent, HistoryKind } from '@/lib/review/history';
import { LocalTime } from './LocalTime';

const DOT: Record<HistoryKind, string> = {
  import: 'bg-neutral-500',
  verdict: 'bg-neutral-300',
  undo: 'bg-neutral-600',
  instruction: 'bg-violet-400',
  job_requested: 'bg-sky-500',
  job_finished: 'bg-sky-300',
  candidate: 'bg-sky-300',
  gold: 'bg-yellow-300',
  comment: 'bg-neutral-400',
};

/** Tint of a verdict's dot by its decision and kind; others by their kind. */
function dotOf(event: HistoryEvent): string {
  if (event.kind === 'verdict') {
    if (event.detail?.verdictKind === 'adjudication') return 'bg-sky-400 ring-2 ring-sky-400/30';
    if (event.detail?.decision === 'accept') return 'bg-emerald-400';
    if (event.detail?.decision === 'reject') return 'bg-rose-400';
  }
  if (event.kind === 'job_finished' && event.detail?.status !== 'succeeded') return 'bg-amber-400';
  return DOT[event.kind];
}

/** The item's life, oldest first, as a vertical timeline. */
export function HistoryTimeline({ events }: { events: HistoryEvent[] }) {
  return (
    <ol className="relative text-sm" data-testid="history">
      <span aria-hidden className="absolute top-2 bottom-2 left-[5px] w-px bg-neutral-800" />
      {events.map((event, i) => (
        <li key={i} className="relative flex gap-3 py-1.5" data-testid="history-event" data-kind={event.kind}>
          <span
            aria-hidden
            className={`relative mt-1.5 h-[11px] w-[11px] shrink-0 rounded-full border-2 border-neutral-950 ${dotOf(event)}`}
          />
          <div className="min-w-0 flex-1">
            <div className="flex items-baseline gap-2 text-xs text-neutral-500">
              <LocalTime at={event.at} className="tabular-nums" />
              {event.actor && <span className="truncate text-neutral-400">{event.actor}</span>}
            </div>
            <p className={`break-words ${event.kind === 'undo' ? 'text-neutral-500' : 'text-neutral-200'}`}>{event.summary}</p>
          </div>
        </li>
      ))}
    </ol>
  );
}
