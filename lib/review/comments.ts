import type { Db } from '@/db';
import { statement } from '@/db/statements';
import { actorName, actorNameSql } from '@/lib/auth/actors';
import { LoupeError } from '@/lib/errors';

export const COMMENT_MAX = 4000;

export interface Comment {
  id: number;
  itemId: number;
  /** The author's user id (see lib/auth/actors.ts). */
  authorId: string;
  /** The author's username now. */
  author: string;
  body: string;
  createdAt: number;
}

/** Who reads an item's comments: leads (seesAll) see everyone's, others only their own. */
export interface CommentViewer {
  /** The viewer's user id. */
  userId: string;
  seesAll: boolean;
}

function assertItem(db: Db, itemId: number) {
  if (!statement<[number], number>(db, 'SELECT 1 FROM items WHERE id = ?').pluck().get(itemId)) {
    throw new LoupeError('not_found', `item ${itemId} not found`);
  }
}

/** Adds a comment (trimmed, 1 to 4000 characters) to an existing item; `author` is a user id. */
export function addComment(db: Db, itemId: number, author: string, body: string, now = Date.now()): Comment {
  const text = body.trim();
  if (!text) throw new LoupeError('invalid', 'a comment cannot be empty');
  if (text.length > COMMENT_MAX) {
    throw new LoupeError('invalid', `a comment can be at most ${COMMENT_MAX} characters (this one has ${text.length})`);
  }
  assertItem(db, itemId);
  const id = Number(
    statement(db, 'INSERT INTO comments (item_id, author, body, created_at) VALUES (?, ?, ?, ?)').run(itemId, author, text, now)
      .lastInsertRowid,
  );
  return { id, itemId, authorId: author, author: actorName(db, author), body: text, createdAt: now };
}

const COLUMNS = `id, item_id AS itemId, author AS authorId, ${actorNameSql('author')} AS author, body, created_at AS createdAt`;

/** An item's comments, oldest first: all of them for a lead, the viewer's own otherwise. */
export function listComments(db: Db, itemId: number, viewer: CommentViewer): Comment[] {
  assertItem(db, itemId);
  if (viewer.seesAll) {
    return statement<[number], Comment>(db, `SELECT ${COLUMNS} FROM comments WHERE item_id = ? ORDER BY id`).all(itemId);
  }
  return statement<[number, string], Comment>(db, `SELECT ${COLUMNS} FROM comments WHERE item_id = ? AND author = ? ORDER BY id`).all(
    itemId,
    viewer.userId,
  );
}
