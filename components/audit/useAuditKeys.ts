'use client';

import type { RefObject } from 'react';
import { useKeymap, type KeyHandlers } from '@/components/keyboard';
import { AUDIT_KEYS, HELP_MODE } from '@/components/keymap';
import { RUBRIC } from '@/lib/audit/rubric';
import type { RubricDimension } from '@/lib/audit/spec';
import type { Scoring } from './useScoring';

export interface AuditPage {
  hasItem: boolean;
  scoring: Scoring;
  score: (dimension: RubricDimension, value: number) => void;
  submit: (pass: boolean) => void;
  dismiss: () => void;
  help: boolean;
  setHelp: (open: boolean) => void;
  noteRef: RefObject<HTMLInputElement | null>;
}

/** Every action of the audit page by its keymap id (components/keymap.ts); scoring keys only while a sample is shown. */
export function auditActions(page: AuditPage): KeyHandlers<typeof AUDIT_KEYS> {
  const { scoring } = page;
  const dimension = RUBRIC[scoring.active].dimension;
  const current = scoring.scores[dimension];
  // false: no sample, so the key is not the page's.
  const onSample = (run: (key: string) => void) => (key: string) => (page.hasItem ? run(key) : false);
  return {
    selectScale: onSample((key) => scoring.setActive(RUBRIC.findIndex((s) => s.key === key))),
    moveScale: onSample((key) => scoring.setActive((a) => (a + (key === 'ArrowUp' ? RUBRIC.length - 1 : 1)) % RUBRIC.length)),
    score: onSample((key) => page.score(dimension, Number(key))),
    scoreTen: onSample(() => page.score(dimension, 10)),
    nudgeScore: onSample((key) => page.score(dimension, key === 'ArrowLeft' ? (current ?? 1) - 1 : (current ?? -1) + 1)),
    pass: onSample(() => page.submit(true)),
    fail: onSample(() => page.submit(false)),
    note: onSample(() => page.noteRef.current?.focus()),
    dismiss: onSample(page.dismiss),
    help: () => page.setHelp(true),
    closeHelp: () => page.setHelp(false),
  };
}

/** The audit page's keys: ignored while typing; Enter on a focused link or button is that control's own (Pass and Fail do what Enter and f do). */
export function useAuditKeys(page: AuditPage) {
  useKeymap(AUDIT_KEYS, auditActions(page), { mode: page.help ? HELP_MODE : 'normal', controlsOwnEnter: true });
}
