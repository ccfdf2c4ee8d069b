/**
 * Who did something, as rows record it. Every "who" column (verdicts.reviewer, comments.author,
 * jobs.requested_by, batches.created_by, exports.created_by, gold_items.created_by,
 * instruction_versions.created_by, audit_campaigns.created_by, audit_results.auditor,
 * items.lease_reviewer) holds an *actor*:
 *
 * - a person: their immutable user id (users.id), never their username, so renaming a user
 *   keeps their work theirs, and a new user given an old name inherits none of it;
 * - anything else: a readable label that is never a user id, e.g. `cli:carol` (the CLI, with
 *   the operating-system user), a model name for a model's rewrite, or a name written before
 *   migration 0009 that matched no account then (kept as it was).
 *
 * Names are shown by looking the id up at read time (actorNameSql / actorNames): the current
 * username for a user id, the label itself otherwise.
 */
import type { Db } from '@/db';
import { statement } from '@/db/statements';

/** SQL for the name to show for an actor column: the user's current username, else the label. */
export function actorNameSql(column: string): string {
  return `COALESCE((SELECT username FROM users WHERE id = ${column}), ${column})`;
}

/** The names to show for some actors: id → current username; a label → itself. */
export function actorNames(db: Db, actors: Iterable<string | null | undefined>): Map<string, string> {
  const lookup = statement<[string], string | undefined>(db, 'SELECT username FROM users WHERE id = ?').pluck();
  const names = new Map<string, string>();
  for (const actor of actors) {
    if (actor == null || names.has(actor)) continue;
    names.set(actor, lookup.get(actor) ?? actor);
  }
  return names;
}

/** The name to show for one actor. */
export function actorName(db: Db, actor: string): string;
export function actorName(db: Db, actor: string | null): string | null;
export function actorName(db: Db, actor: string | null): string | null {
  return actor === null ? null : actorNames(db, [actor]).get(actor)!;
}
