'use client';

const short = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/**
 * A timestamp (ms) in the reader's own time zone. The server renders it in its zone first;
 * the browser's text replaces it, hence suppressHydrationWarning.
 */
export function LocalTime({ at, className }: { at: number; className?: string }) {
  const date = new Date(at);
  return (
    <time dateTime={date.toISOString()} title={date.toLocaleString()} className={className} suppressHydrationWarning>
      {short.format(date)}
    </time>
  );
}
