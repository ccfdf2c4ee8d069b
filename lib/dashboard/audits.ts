import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { stratifiedProportion, wilsonInterval, type ProportionInterval, type StratifiedProportion } from '@/lib/stats/proportion';

export interface AuditStratum {
  /** "family/task" */
  stratum: string;
  /** Items of the stratum in the campaign's population. */
  size: number;
  sampled: number;
  audited: number;
  passed: number;
  passRate: ProportionInterval | null;
}

export interface CampaignSummary {
  id: number;
  name: string;
  datasetId: number;
  status: 'open' | 'closed';
  createdAt: number;
  populationSize: number;
  sampled: number;
  audited: number;
  passed: number;
  /** passed / audited as one simple sample, 95% Wilson. */
  passRate: ProportionInterval | null;
  /** The population's pass rate, strata weighted by their size (stratifiedProportion): audited strata only. */
  weighted: StratifiedProportion | null;
  strata: AuditStratum[];
}

type CampaignRow = Pick<CampaignSummary, 'id' | 'name' | 'datasetId' | 'status' | 'createdAt' | 'populationSize'>;

/* audit_campaigns is small (a few campaigns per dataset): read whole. */
const CAMPAIGN_COLUMNS = `id, name, dataset_id AS datasetId, status, created_at AS createdAt, population_size AS populationSize`;
const CAMPAIGNS_ALL = `SELECT ${CAMPAIGN_COLUMNS} FROM audit_campaigns ORDER BY id DESC`;
const CAMPAIGNS_OF_DATASET = `SELECT ${CAMPAIGN_COLUMNS} FROM audit_campaigns WHERE dataset_id = ? ORDER BY id DESC`;
/* One campaign's samples (a range of its primary key), each with its result (unique index) if audited. */
const CAMPAIGN_STRATA = `SELECT s.stratum, max(s.stratum_size) AS size, count(*) AS sampled, count(r.id) AS audited,
    coalesce(sum(r.pass), 0) AS passed
  FROM audit_samples s LEFT JOIN audit_results r ON r.campaign_id = s.campaign_id AND r.item_id = s.item_id
  WHERE s.campaign_id = ? GROUP BY s.stratum ORDER BY s.stratum`;

/** Per audit campaign (newest first): sampled, audited, pass rate, and the size-weighted pass rate over strata. */
export function auditSummary(db: Db, datasetId?: number): CampaignSummary[] {
  const campaigns =
    datasetId === undefined
      ? statement<[], CampaignRow>(db, CAMPAIGNS_ALL).all()
      : statement<[number], CampaignRow>(db, CAMPAIGNS_OF_DATASET).all(datasetId);
  const strataOf = statement<[number], Omit<AuditStratum, 'passRate'>>(db, CAMPAIGN_STRATA);
  return campaigns.map((c) => {
    const strata = strataOf.all(c.id).map((s) => ({ ...s, passRate: wilsonInterval(s.passed, s.audited) }));
    const sampled = strata.reduce((sum, s) => sum + s.sampled, 0);
    const audited = strata.reduce((sum, s) => sum + s.audited, 0);
    const passed = strata.reduce((sum, s) => sum + s.passed, 0);
    // A recorded stratum size below its audited count would be broken data: never let it throw here.
    const weighted = stratifiedProportion(strata.map((s) => ({ size: Math.max(s.size, s.audited), successes: s.passed, n: s.audited })));
    return { ...c, sampled, audited, passed, passRate: wilsonInterval(passed, audited), weighted, strata };
  });
}
