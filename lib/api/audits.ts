import { z } from 'zod';
import type { Campaign, CampaignPreview } from '@/lib/audit/campaigns';
import type { CampaignReport, campaignSummaries } from '@/lib/audit/report';
import { populationSchema, resultSchema, samplingSchema } from '@/lib/audit/spec';
import type { AuditProgress, AuditResult, ClaimResult } from '@/lib/audit/work';

/**
 * The audit API (app/api/audits): what the route handlers parse and answer, and what the audit
 * pages' calls (components/audit/api.ts) are typed by. The spec's parts (population, sampling,
 * rubric) are lib/audit/spec.ts, which lib/audit checks with too.
 */

const MAX_SEED = 2 ** 32 - 1;

/** POST /api/audits/preview: which items, how many of each stratum. */
export const previewRequest = z.object({
  datasetId: z.number().int().positive(),
  population: populationSchema,
  sampling: samplingSchema,
  /** Only changes which items are drawn, not how many; accepted so the form can send one body. */
  seed: z.number().int().min(0).max(MAX_SEED).optional(),
});
export type PreviewRequest = z.infer<typeof previewRequest>;
export type PreviewAnswer = CampaignPreview;

/** POST /api/audits: 201 */
export const campaignRequest = previewRequest.extend({
  name: z.string().trim().min(1, 'a campaign needs a name').max(200),
  blind: z.boolean().default(true),
});
export type CampaignRequest = z.input<typeof campaignRequest>;
/** POST /api/audits and POST /api/audits/:id/close */
export type CampaignAnswer = Campaign;
/** GET /api/audits */
export type CampaignsAnswer = { campaigns: ReturnType<typeof campaignSummaries> };
/** GET /api/audits/:id/report (JSON) */
export type ReportAnswer = CampaignReport;

/** The audit page's id (a browser tab): leases belong to it, scoped to the user by the route. */
const holder = z.string().min(8).max(100);

/** POST /api/audits/:id/claim and /api/audits/:id/release */
export const auditClaimRequest = z.object({ holder });
export type AuditClaimAnswer = ClaimResult;
export type AuditReleaseAnswer = { released: number };

/** POST /api/audits/:id/results: 201 */
export const resultRequest = resultSchema.extend({ holder: holder.optional(), itemId: z.number().int().positive() });
export type ResultRequest = z.input<typeof resultRequest>;
export type ResultAnswer = { result: AuditResult; progress: AuditProgress };
