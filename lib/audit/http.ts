import { idParam } from '@/lib/http/params';

/** The route context of /api/audits/:id/... handlers. */
export type CampaignContext = { params: Promise<{ id: string }> };

/** The campaign id of the path (a 400 for anything but a positive integer). */
export async function campaignIdOf(context: CampaignContext): Promise<number> {
  return idParam.parse((await context.params).id);
}
