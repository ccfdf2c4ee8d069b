import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '@/db';
import { cleanupTemp, SAMPLES_DIR, tempDb } from '@/lib/test/factories';
import { importGptEdit } from '../import/import-gpt-edit';
import { addComment, COMMENT_MAX, listComments } from './comments';
import { LoupeError } from '@/lib/errors';

let db: Db;

beforeEach(async () => {
  db = tempDb().db;
  await importGptEdit(db, SAMPLES_DIR);
});
afterEach(cleanupTemp);

const errorOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error as LoupeError;
  }
  throw new Error('expected an error');
};

describe('comments', () => {
  it('stores the trimmed text and refuses empty, overlong and orphan comments', () => {
    const comment = addComment(db, 1, 'alice', '  seam on the left  \n', 1000);
    expect(comment).toEqual({ id: comment.id, itemId: 1, authorId: 'alice', author: 'alice', body: 'seam on the left', createdAt: 1000 });
    expect(errorOf(() => addComment(db, 1, 'alice', '   '))).toMatchObject({ status: 400, message: 'a comment cannot be empty' });
    expect(errorOf(() => addComment(db, 1, 'alice', 'x'.repeat(COMMENT_MAX + 1))).status).toBe(400);
    expect(addComment(db, 1, 'alice', ` ${'x'.repeat(COMMENT_MAX)} `).body).toHaveLength(COMMENT_MAX);
    expect(errorOf(() => addComment(db, 999, 'alice', 'hello'))).toMatchObject({ status: 404 });
  });

  it('shows leads every comment and everyone else only their own', () => {
    addComment(db, 1, 'alice', 'first');
    addComment(db, 1, 'bob', 'second');
    addComment(db, 1, 'lead1', 'third');
    addComment(db, 2, 'alice', 'elsewhere');

    const lead = listComments(db, 1, { userId: 'lead1', seesAll: true });
    expect(lead.map((c) => [c.author, c.body])).toEqual([
      ['alice', 'first'],
      ['bob', 'second'],
      ['lead1', 'third'],
    ]);
    expect(listComments(db, 1, { userId: 'alice', seesAll: false }).map((c) => c.body)).toEqual(['first']);
    expect(listComments(db, 1, { userId: 'bob', seesAll: false }).map((c) => c.body)).toEqual(['second']);
    expect(listComments(db, 1, { userId: 'carol', seesAll: false })).toEqual([]);
    expect(errorOf(() => listComments(db, 999, { userId: 'lead1', seesAll: true })).status).toBe(404);
  });
});
