import type { LegendPayload } from 'recharts';
import { LEGEND } from './theme';

/** Legend props: items in the order given (not alphabetical), labels in the axis grey whatever the swatch colour. */
export function legendProps(order: string[]) {
  return {
    ...LEGEND,
    itemSorter: (item: LegendPayload) => order.indexOf(String(item.value)),
    formatter: (value: unknown) => <span style={{ color: '#a3a3a3' }}>{String(value)}</span>,
  };
}
