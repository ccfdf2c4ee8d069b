'use client';

import type { ReviewItem } from '@/lib/review/items';
import { ActionBar } from './ActionBar';
import { CandidateStrip } from './CandidateStrip';
import type { InspectMode } from './InspectView';
import { InstructionPanel } from './InstructionPanel';
import { ItemJobs } from './ItemJobs';
import { NoteBox } from './NoteBox';
import { RejectPicker } from './RejectPicker';
import { SignalStrip } from './SignalStrip';
import type { ItemChoice } from './useItemChoice';
import type { ReviewActions } from './useReviewKeys';

/** Below the pair: the instruction and its versions, the item's facts, its candidates, signals and jobs, the note box, and the actions. */
export function ItemPanel({
  item,
  choice,
  actions,
  inspect,
  showMask,
  onSaveInstruction,
  onSaveNote,
}: {
  item: ReviewItem;
  choice: ItemChoice;
  actions: ReviewActions;
  inspect: InspectMode | null;
  showMask: boolean;
  onSaveInstruction: (text: string) => Promise<void>;
  onSaveNote: (text: string) => Promise<void>;
}) {
  const chosen = choice.chosen!;
  return (
    <div className="border-t border-neutral-800 bg-neutral-900/50 px-6 py-4">
      <div className="mx-auto flex max-w-6xl items-start gap-8">
        <InstructionPanel
          item={item}
          chosenId={chosen.instructionVersionId}
          onChoose={choice.setChosenInstruction}
          editing={choice.editing}
          onEditDone={() => choice.setEditing(false)}
          onSave={onSaveInstruction}
        />
        <dl className="grid shrink-0 grid-cols-[auto_auto] gap-x-3 gap-y-1 text-xs">
          <dt className="text-neutral-500">family</dt>
          <dd className="text-neutral-200" data-testid="family">
            {item.family}
          </dd>
          <dt className="text-neutral-500">task</dt>
          <dd className="text-neutral-200" data-testid="task">
            {item.task}
          </dd>
          <dt className="text-neutral-500">type</dt>
          <dd className="text-neutral-200">{item.instructionType}</dd>
          <dt className="text-neutral-500">id</dt>
          <dd className="max-w-56 truncate font-mono text-neutral-400" title={item.externalId}>
            {item.externalId}
          </dd>
        </dl>
      </div>
      {item.inputDescription && <p className="mx-auto mt-2 max-w-6xl text-sm text-neutral-500">Source: {item.inputDescription}</p>}
      <div className="mx-auto mt-3 flex max-w-6xl flex-wrap items-center gap-4">
        <CandidateStrip item={item} chosenId={chosen.candidateId} onChoose={choice.setChosenCandidate} />
        <SignalStrip candidate={item.candidates.find((c) => c.id === chosen.candidateId) ?? item.candidates[0]} />
        <ItemJobs item={item} />
      </div>

      {choice.noting && (
        <div className="mx-auto mt-3 max-w-6xl">
          <NoteBox onSave={onSaveNote} onClose={() => choice.setNoting(false)} />
        </div>
      )}
      <div className="mx-auto mt-4 flex max-w-6xl flex-wrap items-center gap-1.5 xl:max-w-[86rem]">
        {choice.rejecting ? (
          <RejectPicker
            reasons={choice.reasons}
            onToggle={choice.toggleReason}
            onReject={() => actions.confirmReject('Enter')}
            onCancel={() => choice.setRejecting(false)}
          />
        ) : (
          <ActionBar item={item} actions={actions} inspect={inspect} showMask={showMask} noteSaved={choice.noteSaved} />
        )}
      </div>
    </div>
  );
}
