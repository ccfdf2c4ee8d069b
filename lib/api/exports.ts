import { z } from 'zod';
import type { ExportProgress } from '@/lib/export/background';
import { EXPORT_FORMATS, IMAGE_MODES } from '@/lib/export/formats';
import type { ExportRecord } from '@/lib/export/records';
import { decimalCount, decimalId } from '@/lib/http/params';
import { extraFilterSchema } from '@/lib/filter/filter';

/** The exports page's API (app/api/exports): what the route handlers parse and answer. */

/** GET /api/exports?before=&limit= */
export const exportsQuery = z.object({
  before: decimalId().optional(),
  limit: decimalCount().pipe(z.number().min(1).max(200)).default(100),
});
export interface ExportsAnswer {
  exports: (ExportRecord & { downloadable: boolean; cleanable: boolean })[];
  running: number | null;
  progress: Record<number, ExportProgress>;
}

const optionalText = z
  .string()
  .trim()
  .max(200)
  .optional()
  .transform((value) => value || undefined);

/** POST /api/exports */
export const startExportRequest = z.object({
  format: z.enum(EXPORT_FORMATS),
  status: z.enum(['accepted', 'rejected', 'pending', 'all']).default('accepted'),
  datasetId: z.number().int().positive().optional(),
  family: optionalText,
  task: optionalText,
  instructionType: z.enum(['original', 'rewrite', 'complex']).optional(),
  /** gpt-edit, training and jsonl: copy, hard-link or only reference the images (unset: link on the same filesystem, else copy). */
  images: z.enum(IMAGE_MODES).optional(),
  /** The shared filter's other terms (reviewer of the verdict, dates, text, origin, score range). */
  filter: extraFilterSchema.optional(),
});
export type StartExportRequest = z.input<typeof startExportRequest>;
/** 202: the export runs in the server; its progress shows in GET /api/exports. */
export type StartExportAnswer = { exportId: number };
