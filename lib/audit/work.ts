import type { Db } from '@/db';
import { statement } from '@/db/statements';
import type { CandidateOrigin, InstructionKind } from '@/db/schema';
import { actorNameSql } from '@/lib/auth/actors';
import { decidedVersion } from '@/lib/review/decided';
import { labelVersion } from '@/lib/review/version-label';
import { requireCampaign } from './campaigns';
import { resultSchema, type AuditScores } from './spec';
import { LoupeError } from '@/lib/errors';

/** How long a claimed sample stays with its audit page. */
export const AUDIT_LEASE_MS = 5 * 60 * 1000;

export interface AuditProgress {
  /** Samples with a result. */
  audited: number;
  sampled: number;
  /** Results given by this auditor. */
  mine: number;
}

/** A reviewer's live verdict on the item, shown only when the campaign is not blind. */
export interface AuditVerdict {
  reviewer: string;
  decision: 'accept' | 'reject';
  kind: 'review' | 'adjudication';
  reasons: string[];
  comment: string | null;
  createdAt: number;
}

export interface AuditImage {
  /** The image route kind: the item's source, or a pair regeneration's own source. */
  kind: 'source' | 'candidate-source' | 'candidate';
  id: number;
  width: number;
  height: number;
}

/** What the audit page shows for one sample. */
export interface AuditItem {
  campaignId: number;
  itemId: number;
  externalId: string;
  family: string;
  task: string;
  /** 0-based place in the campaign's audit order. */
  position: number;
  instruction: string;
  instructionKind: string;
  inputDescription: string | null;
  source: AuditImage;
  candidate: AuditImage & { origin: CandidateOrigin; simulated: boolean; paddingOk: boolean | null };
  /** Absent when the campaign is blind: the auditor must not learn the reviewers' verdicts. */
  reviewerDecision?: 'accept' | 'reject' | null;
  verdicts?: AuditVerdict[];
  /**
   * Which version is audited (absent when blind), e.g. "accepted version: dataset edit ·
   * original instruction", and what the item gained after its decision.
   */
  version?: { text: string; newer: string[] };
}

export interface ClaimResult {
  sample: AuditItem | null;
  progress: AuditProgress;
  /** When the sample's lease ends (ms epoch); null without a sample. */
  leaseExpiresAt: number | null;
}

export function auditProgress(db: Db, campaignId: number, auditor: string): AuditProgress {
  const row = statement<[string, number], AuditProgress>(
    db,
    `SELECT (SELECT count(*) FROM audit_results r WHERE r.campaign_id = c.id) AS audited,
            c.sample_size AS sampled,
            (SELECT count(*) FROM audit_results r WHERE r.campaign_id = c.id AND r.auditor = ?) AS mine
     FROM audit_campaigns c WHERE c.id = ?`,
  ).get(auditor, campaignId);
  return row ?? { audited: 0, sampled: 0, mine: 0 };
}

function requireOpen(db: Db, campaignId: number) {
  const campaign = requireCampaign(db, campaignId);
  if (campaign.status !== 'open') throw new LoupeError('conflict', `audit campaign ${campaignId} is closed`);
  return campaign;
}

const NO_RESULT = `NOT EXISTS (SELECT 1 FROM audit_results r WHERE r.campaign_id = s.campaign_id AND r.item_id = s.item_id)`;

/**
 * Leases the page's next sample for 5 minutes, in one short write transaction: the sample the
 * page already holds (a reload shows it again), else the first one in audit order without a
 * result that no other page holds (an expired lease is free). Other samples the page held
 * are let go. Returns null as the sample when none is left.
 */
export function claimNextSample(db: Db, campaignId: number, holder: string, auditor: string, now = Date.now()): ClaimResult {
  const campaign = requireOpen(db, campaignId);
  const held = statement<[number, string, number], number>(
    db,
    `SELECT item_id FROM audit_samples s
     WHERE campaign_id = ? AND lease_holder = ? AND lease_expires_at > ? AND ${NO_RESULT}
     ORDER BY position LIMIT 1`,
  ).pluck();
  const free = statement<[number, number, string], number>(
    db,
    `SELECT item_id FROM audit_samples s
     WHERE campaign_id = ? AND ${NO_RESULT} AND (lease_expires_at IS NULL OR lease_expires_at <= ? OR lease_holder = ?)
     ORDER BY position LIMIT 1`,
  ).pluck();
  const lease = statement(db, 'UPDATE audit_samples SET lease_holder = ?, lease_expires_at = ? WHERE campaign_id = ? AND item_id = ?');
  const releaseOthers = statement(
    db,
    `UPDATE audit_samples SET lease_holder = NULL, lease_expires_at = NULL
     WHERE campaign_id = ? AND lease_holder = ? AND item_id != ?`,
  );

  const itemId = db.$client
    .transaction(() => {
      const id = held.get(campaignId, holder, now) ?? free.get(campaignId, now, holder);
      releaseOthers.run(campaignId, holder, id ?? 0);
      if (id !== undefined) lease.run(holder, now + AUDIT_LEASE_MS, campaignId, id);
      return id;
    })
    .immediate();
  return {
    sample: itemId === undefined ? null : auditItem(db, campaignId, itemId, { blind: campaign.blind }),
    progress: auditProgress(db, campaignId, auditor),
    leaseExpiresAt: itemId === undefined ? null : now + AUDIT_LEASE_MS,
  };
}

/** Lets go of a page's samples (the page closed). */
export function releaseSamples(db: Db, campaignId: number, holder: string): number {
  return statement(
    db,
    'UPDATE audit_samples SET lease_holder = NULL, lease_expires_at = NULL WHERE campaign_id = ? AND lease_holder = ?',
  ).run(campaignId, holder).changes;
}

export interface AuditResult extends AuditScores {
  id: number;
  campaignId: number;
  itemId: number;
  auditor: string;
  createdAt: number;
}

/**
 * Records (or replaces) the auditor's scores for a sample and ends its lease. Scores are
 * whole numbers 0-10. Refused when the campaign is closed, the item is not in its sample,
 * or, given the page's holder, another page holds a live lease on it.
 */
export function recordResult(
  db: Db,
  campaignId: number,
  itemId: number,
  auditor: string,
  scores: AuditScores,
  options: { holder?: string; now?: number } = {},
): AuditResult {
  const input = resultSchema.parse(scores);
  const now = options.now ?? Date.now();
  requireOpen(db, campaignId);
  const sample = statement<[number, number], { lease_holder: string | null; lease_expires_at: number | null }>(
    db,
    'SELECT lease_holder, lease_expires_at FROM audit_samples WHERE campaign_id = ? AND item_id = ?',
  );
  const upsert = statement(
    db,
    `INSERT INTO audit_results (campaign_id, item_id, auditor, instruction_following, identity_preservation, visual_quality,
       pass, note, ms_spent, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (campaign_id, item_id) DO UPDATE SET auditor = excluded.auditor,
       instruction_following = excluded.instruction_following, identity_preservation = excluded.identity_preservation,
       visual_quality = excluded.visual_quality, pass = excluded.pass, note = excluded.note, ms_spent = excluded.ms_spent,
       created_at = excluded.created_at
     RETURNING id`,
  ).pluck();
  const clear = statement(
    db,
    'UPDATE audit_samples SET lease_holder = NULL, lease_expires_at = NULL WHERE campaign_id = ? AND item_id = ?',
  );

  const id = db.$client
    .transaction(() => {
      const row = sample.get(campaignId, itemId);
      if (!row) throw new LoupeError('not_found', `item ${itemId} is not in the sample of audit campaign ${campaignId}`);
      if (options.holder && row.lease_holder && row.lease_holder !== options.holder && (row.lease_expires_at ?? 0) > now) {
        throw new LoupeError('conflict', 'another auditor holds this sample now');
      }
      const resultId = upsert.get(
        campaignId,
        itemId,
        auditor,
        input.instructionFollowing,
        input.identityPreservation,
        input.visualQuality,
        input.pass ? 1 : 0,
        input.note?.trim() || null,
        input.msSpent ?? null,
        now,
      ) as number;
      clear.run(campaignId, itemId);
      return resultId;
    })
    .immediate();
  return { id, campaignId, itemId, auditor, ...input, note: input.note?.trim() || undefined, createdAt: now };
}

interface ItemRow {
  item_id: number;
  external_id: string;
  family: string;
  task: string;
  position: number;
  reviewer_decision: 'accept' | 'reject' | null;
  metadata: string;
  source_width: number;
  source_height: number;
  current_instruction_id: number;
  /** The instruction pinned when the sample was drawn (null: drawn before it was recorded). */
  instruction_version_id: number | null;
  candidate_id: number;
  origin: CandidateOrigin;
  width: number;
  height: number;
  c_source_width: number | null;
  c_source_height: number | null;
  c_source_path: string | null;
  simulated: number;
  padding_ok: number | null;
}

const LIVE = 'NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes_verdict_id = v.id)';

function liveVerdicts(db: Db, itemId: number): AuditVerdict[] {
  return statement<[number], Omit<AuditVerdict, 'reasons'> & { reasons: string }>(
    db,
    `SELECT ${actorNameSql('v.reviewer')} AS reviewer, decision, kind, reasons, comment, created_at AS createdAt FROM verdicts v
     WHERE item_id = ? AND decision IN ('accept', 'reject') AND kind IN ('review', 'adjudication') AND ${LIVE}
     ORDER BY id`,
  )
    .all(itemId)
    .map((v) => ({ ...v, reasons: parseList(v.reasons) }));
}

function parseList(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

function inputDescription(metadata: string): string | null {
  try {
    const value = (JSON.parse(metadata) as Record<string, unknown>).input_description;
    return typeof value === 'string' && value.trim() ? value : null;
  } catch {
    return null;
  }
}

/**
 * One sample as the audit page shows it: the audited candidate (the item's current one when
 * drawn) beside its source, the item's current instruction, family and task, and, only when
 * the campaign is not blind, the reviewers' live verdicts.
 */
export function auditItem(db: Db, campaignId: number, itemId: number, options: { blind: boolean }): AuditItem {
  const row = statement<[number, number], ItemRow>(
    db,
    `SELECT s.item_id, i.external_id, i.family, i.task, s.position, s.reviewer_decision, i.metadata,
            i.source_width, i.source_height, i.current_instruction_id, s.instruction_version_id,
            c.id AS candidate_id, c.origin, c.width, c.height, c.source_width AS c_source_width,
            c.source_height AS c_source_height, c.source_path AS c_source_path, c.simulated, c.padding_ok
     FROM audit_samples s
     JOIN items i ON i.id = s.item_id
     JOIN candidates c ON c.id = s.candidate_id
     WHERE s.campaign_id = ? AND s.item_id = ?`,
  ).get(campaignId, itemId);
  if (!row) throw new LoupeError('not_found', `item ${itemId} is not in the sample of audit campaign ${campaignId}`);
  // The instruction the decision chose with the audited candidate; the current one otherwise
  // (a pending item, or a regenerated population's current regeneration the decision did not choose).
  const decided = decidedVersion(db, itemId);
  const instructionId =
    row.instruction_version_id ??
    (decided && decided.candidateId === row.candidate_id ? decided.instructionId : row.current_instruction_id);
  const instructions = statement<[number], { id: number; kind: InstructionKind; text: string; createdAt: number }>(
    db,
    'SELECT id, kind, text, created_at AS createdAt FROM instruction_versions WHERE item_id = ? ORDER BY id',
  ).all(itemId);
  const instruction = instructions.find((v) => v.id === instructionId);
  // A pair regeneration brings its own source image.
  const ownSource = row.c_source_path !== null && row.c_source_width !== null && row.c_source_height !== null;
  const item: AuditItem = {
    campaignId,
    itemId: row.item_id,
    externalId: row.external_id,
    family: row.family,
    task: row.task,
    position: row.position,
    instruction: instruction?.text ?? '',
    instructionKind: instruction?.kind ?? '',
    inputDescription: inputDescription(row.metadata),
    source: ownSource
      ? { kind: 'candidate-source', id: row.candidate_id, width: row.c_source_width!, height: row.c_source_height! }
      : { kind: 'source', id: row.item_id, width: row.source_width, height: row.source_height },
    candidate: {
      kind: 'candidate',
      id: row.candidate_id,
      width: row.width,
      height: row.height,
      origin: row.origin,
      simulated: row.simulated === 1,
      paddingOk: row.padding_ok === null ? null : row.padding_ok === 1,
    },
  };
  if (!options.blind) {
    item.reviewerDecision = row.reviewer_decision;
    item.verdicts = liveVerdicts(db, itemId);
    item.version = auditedVersion(db, itemId, { candidateId: row.candidate_id, instructionId }, decided, instructions);
  }
  return item;
}

/** Names the audited version for a campaign that is not blind: whether it is the decided one, and what came after it. */
function auditedVersion(
  db: Db,
  itemId: number,
  choice: { candidateId: number; instructionId: number },
  decided: ReturnType<typeof decidedVersion>,
  instructions: { id: number; kind: InstructionKind; createdAt: number }[],
): AuditItem['version'] {
  const candidates = statement<[number], { id: number; origin: CandidateOrigin; createdAt: number }>(
    db,
    'SELECT id, origin, created_at AS createdAt FROM candidates WHERE item_id = ? ORDER BY id',
  ).all(itemId);
  // The decided version: what was made after the decision; another one: what was made after it.
  const isDecided = decided?.candidateId === choice.candidateId && decided.instructionId === choice.instructionId;
  const label = labelVersion({ candidates, instructions }, choice, isDecided ? decided.verdict.created_at : undefined);
  const verb = decided?.verdict.decision === 'accept' ? 'accepted' : 'rejected';
  const prefix = !decided
    ? 'current version'
    : decided.candidateId === choice.candidateId
      ? `${verb} version`
      : `current version (not the ${verb} one)`;
  return { text: `${prefix}: ${label.text}`, newer: [label.newerCandidate, label.newerInstruction].filter((n): n is string => n !== null) };
}
