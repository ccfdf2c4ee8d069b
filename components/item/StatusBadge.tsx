import type { ItemStatus } from '@/db/schema';

const STATUS_STYLE: Record<ItemStatus, string> = {
  pending: 'text-neutral-400 bg-neutral-800',
  accepted: 'text-emerald-300 bg-emerald-500/15',
  rejected: 'text-rose-300 bg-rose-500/15',
  disputed: 'text-amber-300 bg-amber-500/15',
};

export function StatusBadge({ status }: { status: ItemStatus }) {
  return (
    <span className={`rounded px-1.5 py-0.5 text-xs ${STATUS_STYLE[status]}`} data-testid="item-status">
      {status}
    </span>
  );
}
