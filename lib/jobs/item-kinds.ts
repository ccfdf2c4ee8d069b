import type { Db } from '@/db';
import { LoupeError } from '@/lib/errors';
import type { OpenAIConfig } from '../openai/config';
import { itemFacts } from '../openai/item-facts';
import { KINDS, type JobKind } from './kinds';
import { notConfigured } from './request';

/** A kind a person may ask for on one item, and why it cannot run there now (no API key, the kind's own check). */
export interface ItemKindChoice {
  id: JobKind;
  label: string;
  /** Set when a request would be refused: the reason, as the request would answer it. */
  unavailable?: string;
}

/**
 * The interactive kinds for an item's page, each checked as requestJob would check it with
 * default parameters (the key, then the kind's own check), so the page offers only what can run.
 */
export function itemKindChoices(db: Db, config: OpenAIConfig, itemId: number): ItemKindChoice[] {
  const item = itemFacts(db, itemId);
  return KINDS.filter((kind) => kind.priority === 'interactive').map((kind) => {
    let unavailable = notConfigured(kind, config);
    if (!unavailable && item) {
      const params = kind.params.safeParse({});
      try {
        if (params.success) kind.check?.(db, itemId, item, params.data as never);
      } catch (error) {
        if (!(error instanceof LoupeError)) throw error;
        unavailable = error.message;
      }
    }
    return { id: kind.id, label: kind.label, ...(unavailable ? { unavailable } : {}) };
  });
}
