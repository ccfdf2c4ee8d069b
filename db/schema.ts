import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Milliseconds since the epoch; every timestamp in Loupe is stored this way. */
const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

export const datasets = sqliteTable('datasets', {
  id: integer('id').primaryKey(),
  name: text('name').notNull().unique(),
  /** Independent review verdicts each item needs (k); k agreeing verdicts decide it. */
  overlap: integer('overlap').notNull().default(1),
  /** Share of claimed queue slots filled with gold items (0 to 0.5). */
  goldRate: real('gold_rate').notNull().default(0),
  createdAt: integer('created_at').notNull().default(now),
});

/**
 * A folder that image references are relative to. Items store (root, relative path)
 * rather than absolute paths, so a relative path from the data can never escape its root
 * and a moved dataset needs one row changed.
 */
export const imageRoots = sqliteTable('image_roots', {
  id: integer('id').primaryKey(),
  path: text('path').notNull().unique(),
});

/** A run of a long CLI or server process; interrupted: its process died while it was running. */
export type RunStatus = 'running' | 'done' | 'interrupted';

export const importRuns = sqliteTable('import_runs', {
  id: integer('id').primaryKey(),
  datasetId: integer('dataset_id')
    .notNull()
    .references(() => datasets.id),
  path: text('path').notNull(),
  format: text('format').notNull(),
  /** running, done, or interrupted (its process died before it finished). */
  status: text('status').$type<RunStatus>().notNull().default('running'),
  /** The process running it (host and pid), so a restart can tell a dead run from a live one. */
  host: text('host'),
  pid: integer('pid'),
  startedAt: integer('started_at').notNull().default(now),
  finishedAt: integer('finished_at'),
  imported: integer('imported').notNull().default(0),
  alreadyPresent: integer('already_present').notNull().default(0),
  skipped: integer('skipped').notNull().default(0),
  /** JSON array of { file, record, reason } for skipped records. */
  problems: text('problems').notNull().default('[]'),
});

/** disputed: the item's k review verdicts disagree; a lead adjudicates it. */
export type ItemStatus = 'pending' | 'accepted' | 'rejected' | 'disputed';

export const items = sqliteTable(
  'items',
  {
    id: integer('id').primaryKey(),
    datasetId: integer('dataset_id')
      .notNull()
      .references(() => datasets.id),
    /** The record's own id in its source data (unique within a dataset). */
    externalId: text('external_id').notNull(),
    /** Source family: omniedit, hqedit, ultraedit, ... (the record's dataset_source). */
    family: text('family').notNull(),
    task: text('task').notNull(),
    /** instruction_type of the record as imported: original | rewrite | complex. */
    instructionType: text('instruction_type').notNull(),
    sourceRootId: integer('source_root_id')
      .notNull()
      .references(() => imageRoots.id),
    sourcePath: text('source_path').notNull(),
    sourceWidth: integer('source_width').notNull(),
    sourceHeight: integer('source_height').notNull(),
    /** The source file's identity at import (`dev:ino`); serving re-checks it (null: imported before it was recorded). */
    sourceFileId: text('source_file_id'),
    /** The whole imported record, every field kept. */
    metadata: text('metadata').notNull(),
    status: text('status').$type<ItemStatus>().notNull().default('pending'),
    /* The current pointers are deliberately not foreign keys: an item and its first
       versions are inserted together and SQLite cannot defer the circular check. */
    currentInstructionId: integer('current_instruction_id').notNull(),
    currentCandidateId: integer('current_candidate_id').notNull(),
    /** Who holds the review lease (one open review page), its user (id), and until when. */
    leaseHolder: text('lease_holder'),
    leaseReviewer: text('lease_reviewer'),
    leaseExpiresAt: integer('lease_expires_at'),
    importRunId: integer('import_run_id').references(() => importRuns.id),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [
    uniqueIndex('items_dataset_external').on(t.datasetId, t.externalId),
    // The queue and the dataset page read items in (family, task, id) order, so one index
    // serves every combination of the dataset, status, family and task filters without a sort.
    index('items_queue').on(t.datasetId, t.status, t.family, t.task, t.id),
    index('items_queue_type').on(t.datasetId, t.status, t.instructionType, t.family, t.task, t.id),
    // Paging a dataset's items without a status filter.
    index('items_dataset_order').on(t.datasetId, t.family, t.task, t.id),
    index('items_dataset_type_order').on(t.datasetId, t.instructionType, t.family, t.task, t.id),
    index('items_lease_holder')
      .on(t.leaseHolder)
      .where(sql`lease_holder is not null`),
  ],
);

export type InstructionKind = 'original' | 'rewrite' | 'complex' | 'human';

export const instructionVersions = sqliteTable(
  'instruction_versions',
  {
    id: integer('id').primaryKey(),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id),
    kind: text('kind').$type<InstructionKind>().notNull(),
    text: text('text').notNull(),
    /** A human edit's author (user id), a rewrite's model; null for imported versions (lib/auth/actors.ts). */
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [index('instruction_versions_item').on(t.itemId)],
);

export type CandidateOrigin = 'dataset' | 'regenerated';

export const candidates = sqliteTable(
  'candidates',
  {
    id: integer('id').primaryKey(),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id),
    /** Where this edited image came from: the imported dataset, or a later regeneration. */
    origin: text('origin').$type<CandidateOrigin>().notNull(),
    rootId: integer('root_id')
      .notNull()
      .references(() => imageRoots.id),
    path: text('path').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    /** The file's identity when recorded (`dev:ino`); serving re-checks it (null: recorded before it was). */
    fileId: text('file_id'),
    /** JSON: model, prompt, request id, import run, ... whatever explains this image. */
    provenance: text('provenance').notNull().default('{}'),
    /** A pair regeneration makes its own source image too; null: the item's source. */
    sourceRootId: integer('source_root_id').references(() => imageRoots.id),
    sourcePath: text('source_path'),
    sourceWidth: integer('source_width'),
    sourceHeight: integer('source_height'),
    sourceFileId: text('source_file_id'),
    /** The job that made it: unique, so a job can never produce two candidates. */
    jobId: integer('job_id'),
    /** Made by the local OpenAI-compatible server rather than the real API. */
    simulated: integer('simulated', { mode: 'boolean' }).notNull().default(false),
    /** The automatic residual-padding check of a regeneration (null: not checked). */
    paddingOk: integer('padding_ok', { mode: 'boolean' }),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [
    index('candidates_item').on(t.itemId),
    uniqueIndex('candidates_job')
      .on(t.jobId)
      .where(sql`job_id is not null`),
    // The dashboard's padding-check counts of regenerated candidates, from the index alone.
    index('candidates_regenerated')
      .on(t.origin, t.paddingOk)
      .where(sql`job_id is not null`),
  ],
);

export type Decision = 'accept' | 'reject' | 'skip' | 'undo';
/**
 * review: an annotator's verdict, counted toward the dataset's overlap; gold: a verdict on
 * a gold item, scored against the expected answer and never changing the item; adjudication:
 * a lead's decision on a disputed item, which wins over the review verdicts.
 */
export type VerdictKind = 'review' | 'gold' | 'adjudication';

/**
 * Append-only review log. An undo is a row of its own pointing at the verdict it undoes;
 * rows are never updated or deleted. items.status is derived from this log.
 */
export const verdicts = sqliteTable(
  'verdicts',
  {
    id: integer('id').primaryKey(),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id),
    candidateId: integer('candidate_id').references(() => candidates.id),
    instructionVersionId: integer('instruction_version_id').references(() => instructionVersions.id),
    /** An actor (lib/auth/actors.ts): the user id, or a label such as `cli:carol`. */
    reviewer: text('reviewer').notNull(),
    decision: text('decision').$type<Decision>().notNull(),
    /** JSON array of reason tags (rejects). */
    reasons: text('reasons').notNull().default('[]'),
    comment: text('comment'),
    msSpent: integer('ms_spent'),
    undoesVerdictId: integer('undoes_verdict_id'),
    kind: text('kind').$type<VerdictKind>().notNull().default('review'),
    /** For gold verdicts: the expected decision at the time, so accuracy survives unmarking. */
    goldExpected: text('gold_expected').$type<'accept' | 'reject'>(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [
    index('verdicts_item').on(t.itemId, t.id),
    index('verdicts_created').on(t.createdAt, t.id),
    index('verdicts_reviewer').on(t.reviewer, t.id),
    index('verdicts_undoes')
      .on(t.undoesVerdictId)
      .where(sql`undoes_verdict_id is not null`),
  ],
);

/**
 * Item counts per (dataset, family, task, instruction type, status), kept exact by
 * triggers on items, so progress and dataset summaries never count 1.5M rows.
 */
export const itemCounts = sqliteTable(
  'item_counts',
  {
    datasetId: integer('dataset_id').notNull(),
    family: text('family').notNull(),
    task: text('task').notNull(),
    instructionType: text('instruction_type').notNull(),
    status: text('status').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.family, t.task, t.instructionType, t.status] })],
);

/**
 * Live review verdicts (accept, reject, skip; not undone) per dataset and UTC day, kept exact by
 * triggers on verdicts in each verdict's transaction (db/migrations/0017), so the dashboard reads
 * a few rows instead of counting 30 days of verdicts.
 */
export const verdictDayCounts = sqliteTable(
  'verdict_day_counts',
  {
    datasetId: integer('dataset_id').notNull(),
    /** Start of the UTC day (ms). */
    day: integer('day').notNull(),
    accept: integer('accept').notNull(),
    reject: integer('reject').notNull(),
    skip: integer('skip').notNull(),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.day] })],
);

/**
 * Item counts as item_counts, per source size as well: what a batch estimate prices (a kind's cost
 * follows the size or its aspect bucket), so it never groups 1.5M items. Counts the items up to
 * item_size_watermark: lib/batches/size-counts.ts adds the items imported since (the importer does
 * not count into it, so it costs an import nothing); triggers count updates and deletes below it.
 */
export const itemSizeCounts = sqliteTable(
  'item_size_counts',
  {
    datasetId: integer('dataset_id').notNull(),
    family: text('family').notNull(),
    task: text('task').notNull(),
    instructionType: text('instruction_type').notNull(),
    status: text('status').notNull(),
    sourceWidth: integer('source_width').notNull(),
    sourceHeight: integer('source_height').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.family, t.task, t.instructionType, t.status, t.sourceWidth, t.sourceHeight] })],
);

/** The highest item id item_size_counts has counted (one row). */
export const itemSizeWatermark = sqliteTable('item_size_watermark', {
  id: integer('id').primaryKey(),
  itemId: integer('item_id').notNull(),
});

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * A regeneration or instruction rewrite, run by a worker. A running job holds a lock
 * (locked_by, locked_until) that its worker renews; a job whose lock expired (its process
 * died) is taken again. No transaction is ever open across the API call.
 */
export const jobs = sqliteTable(
  'jobs',
  {
    id: integer('id').primaryKey(),
    /** A job kind's id: the kinds are lib/jobs/kinds (lib/ narrows it to JobKind; the schema imports nothing from lib). */
    kind: text('kind').notNull(),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id),
    status: text('status').$type<JobStatus>().notNull().default('queued'),
    /** JSON: instruction version, candidate, quality, input_fidelity, ... */
    params: text('params').notNull().default('{}'),
    batchId: integer('batch_id').references(() => batches.id),
    attempts: integer('attempts').notNull().default(0),
    /** Not before this time (backoff after a retryable error). */
    runAfter: integer('run_after').notNull().default(0),
    lockedBy: text('locked_by'),
    lockedUntil: integer('locked_until'),
    cancelRequested: integer('cancel_requested', { mode: 'boolean' }).notNull().default(false),
    error: text('error'),
    resultCandidateId: integer('result_candidate_id'),
    resultInstructionId: integer('result_instruction_id'),
    /** Estimated before the run, actual (from usage) after. */
    costUsd: real('cost_usd').notNull().default(0),
    /**
     * Money committed to this job over all its attempts: an attempt's estimate is added before
     * its call is sent and corrected to the actual cost after, so an attempt cut off by a crash
     * stays counted (budgets are hard caps).
     */
    spentUsd: real('spent_usd').notNull().default(0),
    /** The OpenAI Batch API submission that ran (or runs) it; null on the synchronous path. Kept after it ends. */
    openaiBatchId: integer('openai_batch_id'),
    /** An actor (lib/auth/actors.ts): the user id, or a label such as `cli:carol`. */
    requestedBy: text('requested_by').notNull(),
    createdAt: integer('created_at').notNull().default(now),
    startedAt: integer('started_at'),
    finishedAt: integer('finished_at'),
  },
  (t) => [
    index('jobs_runnable').on(t.status, t.runAfter, t.id),
    index('jobs_status').on(t.status, t.id),
    index('jobs_item').on(t.itemId, t.status),
    index('jobs_batch').on(t.batchId, t.status),
    // The dashboard's spend and success rate per kind, from the index alone.
    index('jobs_kind_status').on(t.kind, t.status, t.costUsd, t.spentUsd),
    // The Jobs page filtered by kind (and status), newest first, a page at a time (lib/jobs/list.ts).
    index('jobs_kind_page').on(t.kind, t.status, t.id),
  ],
);

/** A batch of jobs queued from a filter, with a budget that stops it when spent. */
export const batches = sqliteTable('batches', {
  id: integer('id').primaryKey(),
  /** A batchable job kind's id (lib/jobs/kinds). */
  kind: text('kind').notNull(),
  filter: text('filter').notNull(),
  budgetUsd: real('budget_usd').notNull(),
  estimatedUsd: real('estimated_usd').notNull(),
  total: integer('total').notNull(),
  status: text('status').$type<'running' | 'done' | 'stopped' | 'cancelled' | 'interrupted'>().notNull().default('running'),
  /** An actor (lib/auth/actors.ts): the user id, or a label such as `cli:carol`. */
  createdBy: text('created_by').notNull(),
  createdAt: integer('created_at').notNull().default(now),
  /** The path asked for: `auto` (the OpenAI Batch API from LOUPE_BATCH_MIN_ITEMS items), `batch` or `sync`. */
  via: text('via').$type<'auto' | 'batch' | 'sync'>().notNull().default('sync'),
  /** The path its jobs take now: `batch` (lib/jobs/batch-driver.ts submits them) or `sync` (the job worker runs them). */
  path: text('path').$type<'batch' | 'sync'>().notNull().default('sync'),
});

/**
 * One submission to the OpenAI Batch API (one input file, one remote batch) for jobs of a Loupe batch.
 * The row is written before and after each remote step, so a restarted driver resumes where it was:
 * polling a batch it created rather than creating it again.
 */
export const openaiBatches = sqliteTable(
  'openai_batches',
  {
    id: integer('id').primaryKey(),
    batchId: integer('batch_id')
      .notNull()
      .references(() => batches.id),
    kind: text('kind').notNull(),
    endpoint: text('endpoint').notNull(),
    /** Loupe's step: preparing → uploaded → creating → submitted → collecting → ended. */
    state: text('state')
      .$type<'preparing' | 'uploaded' | 'creating' | 'submitted' | 'collecting' | 'ended'>()
      .notNull()
      .default('preparing'),
    /** The API's status (validating, in_progress, finalizing, completed, failed, expired, cancelling, cancelled). */
    remoteStatus: text('remote_status'),
    jobs: integer('jobs').notNull().default(0),
    inputBytes: integer('input_bytes').notNull().default(0),
    inputFileId: text('input_file_id'),
    remoteId: text('remote_id'),
    outputFileId: text('output_file_id'),
    errorFileId: text('error_file_id'),
    error: text('error'),
    /** Failed polls in a row (a 500 is retried with backoff). */
    pollFailures: integer('poll_failures').notNull().default(0),
    nextPollAt: integer('next_poll_at').notNull().default(0),
    createdAt: integer('created_at').notNull().default(now),
    submittedAt: integer('submitted_at'),
    endedAt: integer('ended_at'),
  },
  (t) => [index('openai_batches_state').on(t.state, t.id)],
);

/** Which process drives the OpenAI batches (one at a time per database): a lease renewed while it runs. */
export const openaiBatchDriver = sqliteTable('openai_batch_driver', {
  id: integer('id').primaryKey(),
  holder: text('holder').notNull(),
  lockedUntil: integer('locked_until').notNull(),
});

export type ExportRunStatus = 'running' | 'done' | 'failed' | 'interrupted';

/**
 * One export run (CLI or otherwise): what was asked for, where it went, and how it ended.
 * A run whose process died is marked 'interrupted' when Loupe next starts.
 */
export const exportRuns = sqliteTable(
  'exports',
  {
    id: integer('id').primaryKey(),
    format: text('format').notNull(),
    /** JSON: { status, dataset, family, task } as in the export's manifest. */
    filter: text('filter').notNull(),
    outPath: text('out_path').notNull(),
    items: integer('items').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    /** Data files written (the manifest not counted) and their total size. */
    files: integer('files').notNull().default(0),
    bytes: integer('bytes').notNull().default(0),
    status: text('status').$type<ExportRunStatus>().notNull().default('running'),
    error: text('error'),
    /** An actor (lib/auth/actors.ts): the user id, or a label such as `cli:carol`. */
    createdBy: text('created_by').notNull(),
    /** The process writing it (host and pid), so a restart can tell a dead run from a live one. */
    host: text('host'),
    pid: integer('pid'),
    startedAt: integer('started_at').notNull().default(now),
    finishedAt: integer('finished_at'),
  },
  (t) => [index('exports_started').on(t.startedAt, t.id)],
);

/** A decided item a lead marked as gold: mixed into queues, it measures annotators' accuracy. */
export const goldItems = sqliteTable(
  'gold_items',
  {
    itemId: integer('item_id')
      .primaryKey()
      .references(() => items.id),
    datasetId: integer('dataset_id')
      .notNull()
      .references(() => datasets.id),
    expected: text('expected').$type<'accept' | 'reject'>().notNull(),
    /** An actor (lib/auth/actors.ts): the user id, or a label such as `cli:carol`. */
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [index('gold_items_dataset').on(t.datasetId, t.itemId)],
);

/** Comments on an item: visible to leads and to their author. */
export const comments = sqliteTable(
  'comments',
  {
    id: integer('id').primaryKey(),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id),
    /** An actor (lib/auth/actors.ts): the user id, or a label such as `cli:carol`. */
    author: text('author').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [index('comments_item').on(t.itemId, t.id)],
);

/*
 * Accounts: the tables better-auth's Drizzle adapter reads and writes (models user, session,
 * account, verification), with the username plugin's fields and Loupe's roles.
 */
const stamp = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  emailVerified: integer('email_verified', { mode: 'boolean' }).notNull().default(false),
  image: text('image'),
  username: text('username').unique(),
  displayUsername: text('display_username'),
  /** Comma-separated roles: annotator, lead, auditor, admin. */
  roles: text('roles').notNull().default(''),
  /** A disabled user cannot sign in and their sessions are gone. */
  disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
  createdAt: stamp('created_at').notNull(),
  updatedAt: stamp('updated_at').notNull(),
});

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    token: text('token').notNull().unique(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: stamp('expires_at').notNull(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    createdAt: stamp('created_at').notNull(),
    updatedAt: stamp('updated_at').notNull(),
  },
  (t) => [index('sessions_user').on(t.userId)],
);

export const accounts = sqliteTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    providerId: text('provider_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    accessTokenExpiresAt: stamp('access_token_expires_at'),
    refreshTokenExpiresAt: stamp('refresh_token_expires_at'),
    scope: text('scope'),
    /** better-auth's scrypt hash; never read by Loupe itself. */
    password: text('password'),
    createdAt: stamp('created_at').notNull(),
    updatedAt: stamp('updated_at').notNull(),
  },
  (t) => [index('accounts_user').on(t.userId)],
);

export const verifications = sqliteTable('verifications', {
  id: text('id').primaryKey(),
  identifier: text('identifier').notNull(),
  value: text('value').notNull(),
  expiresAt: stamp('expires_at').notNull(),
  createdAt: stamp('created_at').notNull(),
  updatedAt: stamp('updated_at').notNull(),
});

/**
 * Automatic quality signals of a candidate (padding residual, SSIM, changed-pixel fraction,
 * perceptual hashes and near-duplicate groups, the VLM judge's scores), one row per
 * (candidate, name). dataset_id and item_id are copied in so filters and sorts by a signal
 * are one index range: (dataset_id, name, value).
 */
export const signals = sqliteTable(
  'signals',
  {
    candidateId: integer('candidate_id')
      .notNull()
      .references(() => candidates.id),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id),
    datasetId: integer('dataset_id')
      .notNull()
      .references(() => datasets.id),
    name: text('name').notNull(),
    /** Null when the signal has no number (a hash: see detail). */
    value: real('value'),
    /** JSON: how it was computed (model, prompt version, hashes, group members, ...). */
    detail: text('detail').notNull().default('{}'),
    jobId: integer('job_id'),
    computedAt: integer('computed_at').notNull().default(now),
  },
  (t) => [
    primaryKey({ columns: [t.candidateId, t.name] }),
    index('signals_rank').on(t.datasetId, t.name, t.value, t.itemId),
    index('signals_item').on(t.itemId, t.name),
    // A dataset's (item, candidate, value) of one signal, covering: the judge-vs-humans pairs.
    index('signals_candidate').on(t.datasetId, t.name, t.itemId, t.candidateId, t.value),
  ],
);

export type AuditStatus = 'open' | 'closed';

/**
 * A spot-audit: a seeded, stratified random sample of a population (from the shared filter,
 * e.g. regenerated candidates or reviewers' accepted items) that auditors score.
 */
export const auditCampaigns = sqliteTable('audit_campaigns', {
  id: integer('id').primaryKey(),
  name: text('name').notNull(),
  datasetId: integer('dataset_id')
    .notNull()
    .references(() => datasets.id),
  /** JSON: the population's filter (lib/filter/filter.ts terms) and kind (regenerated | accepted | filter). */
  population: text('population').notNull(),
  /** JSON: { mode: 'fixed', perStratum } or { mode: 'margin', margin, confidence } */
  sampling: text('sampling').notNull(),
  seed: integer('seed').notNull(),
  /** Blind: the auditor does not see reviewers' verdicts. */
  blind: integer('blind', { mode: 'boolean' }).notNull().default(true),
  status: text('status').$type<AuditStatus>().notNull().default('open'),
  populationSize: integer('population_size').notNull().default(0),
  sampleSize: integer('sample_size').notNull().default(0),
  /** An actor (lib/auth/actors.ts): the user id, or a label such as `cli:carol`. */
  createdBy: text('created_by').notNull(),
  createdAt: integer('created_at').notNull().default(now),
});

/** One sampled item of a campaign, in its random audit order. */
export const auditSamples = sqliteTable(
  'audit_samples',
  {
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => auditCampaigns.id),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id),
    /** The version audited, pinned when drawn: the decided one for a decided item, else the current one. */
    candidateId: integer('candidate_id')
      .notNull()
      .references(() => candidates.id),
    /** Null for samples drawn before it was recorded (the instruction is then worked out when shown). */
    instructionVersionId: integer('instruction_version_id').references(() => instructionVersions.id),
    /** "family/task" */
    stratum: text('stratum').notNull(),
    /** Size of the stratum in the population, for weighting the overall estimate. */
    stratumSize: integer('stratum_size').notNull(),
    position: integer('position').notNull(),
    /** The item's live review decision when drawn (accept | reject | null), for overturn rates. */
    reviewerDecision: text('reviewer_decision'),
    leaseHolder: text('lease_holder'),
    leaseExpiresAt: integer('lease_expires_at'),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.itemId] }), index('audit_samples_order').on(t.campaignId, t.position)],
);

/** An auditor's rubric scores for one sample (0-10 each, GEdit-Bench style) and pass/fail. */
export const auditResults = sqliteTable(
  'audit_results',
  {
    id: integer('id').primaryKey(),
    campaignId: integer('campaign_id')
      .notNull()
      .references(() => auditCampaigns.id),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id),
    /** An actor (lib/auth/actors.ts): the user id, or a label such as `cli:carol`. */
    auditor: text('auditor').notNull(),
    instructionFollowing: integer('instruction_following').notNull(),
    identityPreservation: integer('identity_preservation').notNull(),
    visualQuality: integer('visual_quality').notNull(),
    pass: integer('pass', { mode: 'boolean' }).notNull(),
    note: text('note'),
    msSpent: integer('ms_spent'),
    createdAt: integer('created_at').notNull().default(now),
  },
  (t) => [uniqueIndex('audit_results_sample').on(t.campaignId, t.itemId)],
);
