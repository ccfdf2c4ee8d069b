import { z } from 'zod';

/** Which items a queue, a page or an export looks at. Task is only meaningful with a family. */
export const itemFilterSchema = z.object({
  datasetId: z.coerce.number().int().positive(),
  family: z.string().min(1).optional(),
  task: z.string().min(1).optional(),
  instructionType: z.enum(['original', 'rewrite', 'complex']).optional(),
}).refine((f) => !f.task || f.family, { message: 'a task filter needs its family', path: ['task'] });

export type ItemFilter = z.infer<typeof itemFilterSchema>;

/**
 * The WHERE terms for a filter over `items`, with positional parameters. The order of the
 * terms matches the items_queue / items_queue_type indexes.
 */
export function filterSql(filter: ItemFilter, status?: string): { where: string; params: (string | number)[] } {
  const terms = ['dataset_id = ?'];
  const params: (string | number)[] = [filter.datasetId];
  if (status) {
    terms.push('status = ?');
    params.push(status);
  }
  if (filter.instructionType) {
    terms.push('instruction_type = ?');
    params.push(filter.instructionType);
  }
  if (filter.family) {
    terms.push('family = ?');
    params.push(filter.family);
    if (filter.task) {
      terms.push('task = ?');
      params.push(filter.task);
    }
  }
  return { where: terms.join(' AND '), params };
}
