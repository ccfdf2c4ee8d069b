import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AdjudicationPanel } from '@/components/item/AdjudicationPanel';
import { CommentsPanel } from '@/components/item/CommentsPanel';
import { GoldControl } from '@/components/item/GoldControl';
import { HistoryTimeline } from '@/components/item/HistoryTimeline';
import { DecidedVersionNote } from '@/components/item/DecidedVersionNote';
import { itemPair } from '@/components/item/pair';
import { StatusBadge } from '@/components/item/StatusBadge';
import { VerdictTable } from '@/components/item/VerdictTable';
import { ImagePair } from '@/components/review/ImagePair';
import { WordDiff } from '@/components/review/InstructionPanel';
import { getDb } from '@/db';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';
import { itemKindChoices } from '@/lib/jobs/item-kinds';
import { listJobs } from '@/lib/jobs/list';
import { openaiConfig } from '@/lib/openai/config';
import { ItemJobsPanel } from '@/components/item/ItemJobsPanel';
import { ITEM_JOBS } from '@/components/item/api';
import { datasetName, itemVerdicts, nextDisputed, versionOptions } from '@/lib/review/adjudication';
import { listComments } from '@/lib/review/comments';
import { goldOf } from '@/lib/review/gold';
import { itemHistory } from '@/lib/review/history';
import { shownVersion } from '@/lib/review/decided';
import { labelVersion } from '@/lib/review/version-label';
import { getReviewItem } from '@/lib/review/items';
import { backLink } from '@/lib/http/back-link';
import { parseId } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

type Search = Record<string, string | string[] | undefined>;
const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

const KIND_LABEL: Record<string, string> = { original: 'original', rewrite: 'rewrite', complex: 'complex', human: 'human edit' };

function Card({ title, children, aside }: { title: string; children: React.ReactNode; aside?: React.ReactNode }) {
  return (
    <section className="rounded-lg border border-neutral-800 bg-neutral-900/30 p-4">
      <div className="mb-3 flex items-baseline gap-2">
        <h2 className="text-xs font-medium uppercase tracking-wide text-neutral-500">{title}</h2>
        {aside}
      </div>
      {children}
    </section>
  );
}

/** One item as a lead sees it: the pair, its verdicts, comments, history, gold and adjudication. */
export default async function ItemPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Search> }) {
  const { id } = await params;
  const search = await searchParams;
  const fromQueue = first(search.from) === 'adjudicate';
  const queueDataset = parseId(first(search.dataset));
  // Back where the user came from: the adjudication queue, or a same-site path (`from`, checked by backLink).
  const back = fromQueue
    ? { href: queueDataset ? `/adjudicate?dataset=${queueDataset}` : '/adjudicate', label: 'Adjudication' }
    : backLink(first(search.from));
  const query = new URLSearchParams();
  if (fromQueue) query.set('from', 'adjudicate');
  else if (back) query.set('from', back.href);
  if (queueDataset) query.set('dataset', String(queueDataset));
  const user = await requirePage('adjudicate', `/items/${encodeURIComponent(id)}${query.size ? `?${query}` : ''}`);

  const itemId = parseId(id);
  const db = getDb();
  const item = itemId ? getReviewItem(db, itemId) : undefined;
  if (!item) notFound();

  const verdicts = itemVerdicts(db, item.id);
  const live = verdicts.filter((v) => !v.undone);
  const lastAdjudication = live.filter((v) => v.kind === 'adjudication').at(-1);
  const reviews = live.filter((v) => v.kind === 'review');
  const comments = listComments(db, item.id, { userId: user.id, seesAll: true });
  const history = itemHistory(db, item.id);
  const gold = goldOf(db, item.id) ?? null;
  const next = nextDisputed(db, item.id, queueDataset);
  // A decided item shows what its deciding verdict chose (as the export and audits do), not its latest version.
  const byDefault = shownVersion(db, item);
  const decided = byDefault.decided;
  const canDecide = item.status === 'disputed' || lastAdjudication !== undefined;
  // A lead deciding may look at (and decide on) another version a reviewer accepted: ?candidate=&instruction=.
  const options = canDecide ? versionOptions(verdicts, byDefault) : [];
  const [pickedCandidate, pickedInstruction] = [parseId(first(search.candidate)), parseId(first(search.instruction))];
  const shown = options.find((o) => o.candidateId === pickedCandidate && o.instructionId === pickedInstruction) ?? byDefault;
  const instruction = item.instructions.find((v) => v.id === shown.instructionId) ?? item.instructions.at(-1)!;
  const original = item.instructions[0];
  const [left, right] = itemPair(item, shown.candidateId);
  const optionHref = (o: { candidateId: number; instructionId: number }) => {
    const q = new URLSearchParams(query);
    if (o !== options[0]) {
      q.set('candidate', String(o.candidateId));
      q.set('instruction', String(o.instructionId));
    }
    return `/items/${item.id}${q.size ? `?${q}` : ''}`;
  };

  return (
    <div className="mx-auto w-full max-w-[90rem] px-6 py-5" data-testid="item-page" data-item-id={item.id}>
      <div className="mb-4 flex flex-wrap items-baseline gap-x-4 gap-y-1">
        <Link
          href={back?.href ?? `/datasets/${item.datasetId}`}
          className="text-sm text-neutral-400 hover:text-neutral-200"
          data-testid="back-link"
        >
          ← {back?.label ?? 'Dataset'}
        </Link>
        <h1 className="text-lg font-semibold text-neutral-100">Item {item.id}</h1>
        <StatusBadge status={item.status} />
        {gold && <span className="rounded bg-yellow-500/15 px-1.5 py-0.5 text-xs text-yellow-200">gold</span>}
        <span className="text-sm text-neutral-400">
          <Link href={`/datasets/${item.datasetId}`} className="hover:text-neutral-100">
            {datasetName(db, item.datasetId)}
          </Link>
          <span className="text-neutral-600"> · </span>
          {item.family} / {item.task}
          <span className="text-neutral-600"> · </span>
          {item.instructionType}
        </span>
        <span className="ml-auto max-w-80 truncate font-mono text-xs text-neutral-500" title={item.externalId}>
          {item.externalId}
        </span>
      </div>

      <div className="grid gap-5 lg:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="flex min-w-0 flex-col gap-5">
          {decided && <DecidedVersionNote item={item} decided={decided} />}
          <div className="h-[50vh] min-h-72 rounded-lg bg-neutral-900/30 p-3" data-testid="item-pair" data-candidate-id={shown.candidateId}>
            <ImagePair left={left} right={right} />
          </div>

          <div>
            <div className="mb-1 flex items-baseline gap-2 text-xs text-neutral-500">
              <span className="uppercase tracking-wide">Instruction</span>
              <span>
                {KIND_LABEL[instruction.kind] ?? instruction.kind}
                {instruction.createdBy ? ` by ${instruction.createdBy}` : ''}
                {item.instructions.length > 1
                  ? ` · version ${item.instructions.indexOf(instruction) + 1} of ${item.instructions.length}`
                  : ''}
              </span>
            </div>
            <p className="text-base leading-relaxed text-neutral-100" data-testid="item-instruction">
              {instruction.text}
            </p>
            {instruction.id !== original.id && instruction.text !== original.text && (
              <p className="mt-1 text-sm text-neutral-400">
                <span className="mr-2 text-xs text-neutral-500">from the original:</span>
                <WordDiff from={original.text} to={instruction.text} />
              </p>
            )}
            {item.inputDescription && <p className="mt-1 text-sm text-neutral-500">Source: {item.inputDescription}</p>}
          </div>

          <AdjudicationPanel
            itemId={item.id}
            status={item.status}
            accepts={reviews.filter((v) => v.decision === 'accept').length}
            rejects={reviews.filter((v) => v.decision === 'reject').length}
            adjudication={
              lastAdjudication ? { decision: lastAdjudication.decision as 'accept' | 'reject', by: lastAdjudication.reviewer } : null
            }
            fromQueue={fromQueue}
            datasetId={queueDataset}
            nextId={next}
            version={{ candidateId: shown.candidateId, instructionVersionId: instruction.id }}
            options={
              options.length > 1
                ? options.map((o, i) => ({
                    label: labelVersion(item, o).text,
                    note: o.acceptedBy.length ? `accepted by ${o.acceptedBy.join(', ')}` : i === 0 && decided ? 'decided' : 'current',
                    href: optionHref(o),
                    selected: o.candidateId === shown.candidateId && o.instructionId === shown.instructionId,
                  }))
                : []
            }
          />

          <Card title="Verdicts" aside={<span className="text-xs text-neutral-600">{verdicts.length}</span>}>
            <VerdictTable verdicts={verdicts} item={item} />
          </Card>
        </div>

        <aside className="flex min-w-0 flex-col gap-5">
          <Card title="Jobs">
            <ItemJobsPanel
              itemId={item.id}
              initial={listJobs(db, { itemId: item.id, limit: ITEM_JOBS })}
              kinds={itemKindChoices(db, openaiConfig(), item.id)}
              canRequest={can(user.roles, 'review')}
            />
          </Card>
          <Card title="Gold">
            <GoldControl itemId={item.id} status={item.status} gold={gold} />
          </Card>
          <Card title="Comments" aside={<span className="text-xs text-neutral-600">{comments.length}</span>}>
            <CommentsPanel itemId={item.id} comments={comments} />
          </Card>
          <Card title="History">
            <HistoryTimeline events={history} />
          </Card>
        </aside>
      </div>
    </div>
  );
}
