import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDb, type Db } from '@/db';
import { createAuth } from '@/lib/auth/auth';
import { parseStdout, runLoupe } from '@/lib/test/cli';
import { cleanupTemp, tempDir } from '@/lib/test/factories';

let dataDir: string;
const opened: Db[] = [];
const originalDataDir = process.env.LOUPE_DATA_DIR;

const loupe = (...args: string[]) => runLoupe(dataDir, args);

/** The real CLI with `input` piped to its stdin (runLoupe gives it an empty one). */
function loupeWithStdin(input: string, ...args: string[]) {
  const result = spawnSync(path.join(process.cwd(), 'node_modules', '.bin', 'tsx'), ['cli/loupe.ts', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, LOUPE_DATA_DIR: dataDir },
    input,
    encoding: 'utf8',
    timeout: 50_000,
  });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Signs in through better-auth's own endpoint, in this process, on the CLI's database file. */
async function signIn(username: string, password: string): Promise<number> {
  process.env.LOUPE_DATA_DIR = dataDir; // the auth secret lives there
  const db = openDb(path.join(dataDir, 'loupe.db'));
  opened.push(db);
  const response = await createAuth(db).handler(
    new Request('http://localhost:3000/api/auth/sign-in/username', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://localhost:3000' },
      body: JSON.stringify({ username, password }),
    }),
  );
  return response.status;
}

beforeEach(() => {
  dataDir = tempDir('loupe-users-');
});
afterEach(() => {
  for (const db of opened.splice(0)) db.$client.close();
  if (originalDataDir === undefined) delete process.env.LOUPE_DATA_DIR;
  else process.env.LOUPE_DATA_DIR = originalDataDir;
  cleanupTemp();
});

describe('loupe user', () => {
  it('adds a user with the password from stdin, and that password signs in', async () => {
    const added = loupeWithStdin(
      'correct horse battery\nignored second line\n',
      'user',
      'add',
      'Ana',
      '--role',
      'annotator',
      '--role',
      'lead',
      '--json',
    );
    expect(added.code, added.stderr).toBe(0);
    // Only generated passwords are printed.
    expect(parseStdout(added.stdout)).toEqual({ username: 'ana', roles: ['annotator', 'lead'] });
    expect(added.stderr).toContain('Added user ana');

    expect(await signIn('ana', 'correct horse battery')).toBe(200);
    expect(await signIn('ana', 'ignored second line')).toBe(401);
  });

  it('generates a password when stdin is empty and prints it once', async () => {
    const added = loupe('user', 'add', 'bo', '--role', 'auditor,admin', '--json');
    expect(added.code, added.stderr).toBe(0);
    const summary = parseStdout(added.stdout);
    expect(summary).toMatchObject({ username: 'bo', roles: ['auditor', 'admin'] });
    const password = summary.password as string;
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(added.stderr).not.toContain(password);
    expect(await signIn('bo', password)).toBe(200);

    // Without --json the password is the only thing on stdout; the explanation is on stderr.
    const plain = loupe('user', 'add', 'cy', '--role', 'lead');
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^\S{20,}\n$/);
    expect(plain.stderr).toMatch(/shown only this once/);
    expect(await signIn('cy', plain.stdout.trim())).toBe(200);

    // The list never shows a password.
    const list = loupe('user', 'list');
    expect(list.stdout).not.toContain(password);
  });

  it('lists users as one JSON object, replaces roles, disables and enables', async () => {
    expect(loupeWithStdin('first password\n', 'user', 'add', 'dee', '--role', 'annotator').code).toBe(0);
    expect(loupeWithStdin('second password\n', 'user', 'add', 'al', '--role', 'admin').code).toBe(0);

    const list = loupe('user', 'list', '--json');
    expect(list.code, list.stderr).toBe(0);
    const { users } = parseStdout(list.stdout) as { users: Record<string, unknown>[] };
    expect(users.map((u) => [u.username, u.roles, u.disabled])).toEqual([
      ['al', ['admin'], false],
      ['dee', ['annotator'], false],
    ]);
    expect(Number.isNaN(Date.parse(users[0].createdAt as string))).toBe(false);
    expect(users[0]).not.toHaveProperty('password');

    const table = loupe('user', 'list');
    expect(table.stdout).toMatch(/^USERNAME\s+ROLES\s+STATUS/);
    expect(table.stdout).toMatch(/dee\s+annotator\s+active/);

    const changed = loupe('user', 'set-role', 'dee', '--role', 'lead', '--role', 'auditor', '--json');
    expect(changed.code, changed.stderr).toBe(0);
    expect(parseStdout(changed.stdout)).toMatchObject({ username: 'dee', roles: ['lead', 'auditor'], disabled: false });

    const disabled = loupe('user', 'disable', 'dee', '--json');
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(parseStdout(disabled.stdout)).toMatchObject({ username: 'dee', disabled: true });
    expect(await signIn('dee', 'first password')).toBe(403);

    const enabled = loupe('user', 'enable', 'DEE');
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(enabled.stdout).toBe('');
    expect(enabled.stderr).toContain('Enabled dee');
    expect(await signIn('dee', 'first password')).toBe(200);
  });

  it('refuses unknown roles, duplicate users and unknown users with a clear message', () => {
    const unknownRole = loupe('user', 'add', 'eve', '--role', 'boss', '--json');
    expect(unknownRole.code).toBe(1);
    expect(unknownRole.stderr).toContain('unknown role "boss" (known: annotator, lead, auditor, admin)');
    expect(parseStdout(unknownRole.stdout)).toEqual({ error: 'unknown role "boss" (known: annotator, lead, auditor, admin)' });

    const noRole = loupe('user', 'add', 'eve');
    expect(noRole.code).toBe(1);
    expect(noRole.stderr).toMatch(/needs --role/);

    expect(loupe('user', 'add', 'eve', '--role', 'lead').code).toBe(0);
    const duplicate = loupe('user', 'add', 'Eve', '--role', 'annotator', '--json');
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('user eve already exists');
    expect(parseStdout(duplicate.stdout)).toEqual({ error: 'user eve already exists' });

    const shortPassword = loupeWithStdin('short\n', 'user', 'add', 'fay', '--role', 'lead');
    expect(shortPassword.code).toBe(1);
    expect(shortPassword.stderr).toMatch(/at least 10 characters/);

    const nobody = loupe('user', 'disable', 'nobody');
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('no user named nobody');
    expect(nobody.stdout).toBe('');

    const users = parseStdout(loupe('user', 'list', '--json').stdout).users as { username: string }[];
    expect(users.map((u) => u.username)).toEqual(['eve']);
  });

  it('renames a user, who signs in under the new name with the same password and keeps their id', async () => {
    expect(loupeWithStdin('correct horse battery\n', 'user', 'add', 'gil', '--role', 'annotator').code).toBe(0);
    expect(loupe('user', 'add', 'hal', '--role', 'annotator').code).toBe(0);
    const db = openDb(path.join(dataDir, 'loupe.db'));
    opened.push(db);
    const id = db.$client.prepare(`SELECT id FROM users WHERE username = 'gil'`).pluck().get();

    const renamed = loupe('user', 'rename', 'gil', 'Gil.B', '--json');
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(parseStdout(renamed.stdout)).toMatchObject({ username: 'gil.b' });
    expect(db.$client.prepare(`SELECT id FROM users WHERE username = 'gil.b'`).pluck().get()).toBe(id);
    expect(await signIn('gil.b', 'correct horse battery')).toBe(200);
    expect(await signIn('gil', 'correct horse battery')).toBe(401);

    const taken = loupe('user', 'rename', 'gil.b', 'hal');
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('user hal already exists');
    expect(loupe('user', 'rename', 'gil.b').stderr).toContain('needs the new username');
    expect(loupe('user', 'rename', 'nobody', 'somebody').stderr).toContain('no user named nobody');
  });
});
