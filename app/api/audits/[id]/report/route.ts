import { getDb } from '@/db';
import type { ReportAnswer } from '@/lib/api/audits';
import { route } from '@/lib/auth/guard';
import { campaignIdOf, type CampaignContext } from '@/lib/audit/http';
import { campaignReport, reportCsv, reportFileName } from '@/lib/audit/report';

export const dynamic = 'force-dynamic';

/**
 * GET /api/audits/:id/report: the campaign's figures as JSON; `?format=csv` as a CSV file (one row
 * per stratum and an overall row), `?format=json` as a JSON file.
 */
export const GET = route<CampaignContext>('audit', async (request, _user, context) => {
  const campaignId = await campaignIdOf(context);
  const report: ReportAnswer = campaignReport(getDb(), campaignId);
  const format = new URL(request.url).searchParams.get('format');
  const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
  if (format === 'csv') {
    return new Response(reportCsv(report), {
      headers: {
        ...headers,
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${reportFileName(report.campaign, 'csv')}"`,
      },
    });
  }
  if (format === 'json') {
    return Response.json(report, {
      headers: { ...headers, 'Content-Disposition': `attachment; filename="${reportFileName(report.campaign, 'json')}"` },
    });
  }
  return Response.json(report, { headers });
});
