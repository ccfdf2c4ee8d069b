import { z } from 'zod';
import { idParam } from '@/lib/http/params';

/** The image route (app/api/images/:kind/:id?size=): its path and query parameters. Answers image bytes, or `{error}`. */

const IMAGE_KINDS = ['source', 'candidate', 'candidate-source', 'mask'] as const;
export type ImageKind = (typeof IMAGE_KINDS)[number];

export const imageParams = z.object({ kind: z.enum(IMAGE_KINDS), id: idParam });
/** preview: the review's 1600 px WebP; thumb: the dataset grid's 384 px one; full: the original. */
export const imageSize = z.enum(['preview', 'thumb', 'full']).default('preview');
