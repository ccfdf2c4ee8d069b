import { parseArgs } from 'node:util';
import { getDb } from '@/db';
import { isRole, ROLES, type Role } from '@/lib/auth/roles';
import { addUser, generatePassword, listUsers, renameUser, setDisabled, setRoles, type UserSummary } from '@/lib/auth/users';
import { LoupeError } from '@/lib/errors';

export const USER_USAGE = `  user add NAME --role ROLE [--role ROLE ...] [--json]
      Add an account for the web app. Roles: ${ROLES.join(', ')} (repeat --role or separate
      them with commas). The password is the first line of stdin when stdin is piped; otherwise (or
      when that line is empty) one is generated and printed once.
  user list [--json]
  user set-role NAME --role ROLE [--role ROLE ...] [--json]
      Replace the user's roles.
  user rename NAME NEW_NAME [--json]
      Rename the account; everything it did stays its own (recorded by user id).
  user disable NAME [--json] | user enable NAME [--json]
      A disabled user cannot sign in, and their sessions end at once.`;

/** A mistake on the command line: one clear line, exit 1 (with --json, also `{error}` on stdout). */
class UsageError extends Error {}

/** Roles from `--role a --role b,c`: every name must be known. */
function parseRoleFlags(values: string[] | undefined, command: string): Role[] {
  const names = (values ?? [])
    .flatMap((v) => v.split(','))
    .map((r) => r.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError(`user ${command} needs --role ROLE (one of ${ROLES.join(', ')})`);
  const unknown = names.find((name) => !isRole(name));
  if (unknown) throw new UsageError(`unknown role "${unknown}" (known: ${ROLES.join(', ')})`);
  return [...new Set(names as Role[])];
}

/**
 * The password for `user add`: the first line of stdin when it is piped or redirected; undefined
 * for a terminal or an empty line (a password is then generated). Reading stops at the first
 * newline, so a pipe that stays open does not hang once a line has come.
 */
async function passwordFromStdin(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    const done = () => {
      process.stdin.off('data', onData);
      process.stdin.off('end', done);
      process.stdin.off('error', reject);
      process.stdin.pause();
      process.stdin.destroy();
      const newline = text.indexOf('\n');
      resolve(newline === -1 ? text : text.slice(0, newline));
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (text.includes('\n')) done();
    };
    process.stdin.on('data', onData);
    process.stdin.once('end', done);
    process.stdin.once('error', reject);
  });
  const password = line.replace(/\r$/, '');
  return password === '' ? undefined : password;
}

const iso = (ms: number) => new Date(ms).toISOString();
const publicUser = (user: UserSummary) => ({
  username: user.username,
  roles: user.roles,
  disabled: user.disabled,
  createdAt: iso(user.createdAt),
});

function printTable(users: UserSummary[]) {
  if (users.length === 0) {
    process.stderr.write('No users yet. Add one with: npm run loupe -- user add NAME --role admin\n');
    return;
  }
  const rows = [['USERNAME', 'ROLES', 'STATUS', 'CREATED (UTC)']].concat(
    users.map((u) => [u.username, u.roles.join(','), u.disabled ? 'disabled' : 'active', iso(u.createdAt).slice(0, 16).replace('T', ' ')]),
  );
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  for (const row of rows)
    process.stdout.write(
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd() + '\n',
    );
}

/** `user add | list | set-role | disable | enable`: accounts for the web app. */
export async function userCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      role: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
    },
  });
  const [action, name, ...extra] = positionals;
  const json = values.json;
  const fail = (message: string) => {
    process.stderr.write(`loupe user: ${message}\n`);
    if (json) process.stdout.write(JSON.stringify({ error: message }) + '\n');
    return 1;
  };
  const output = (value: object) => {
    if (json) process.stdout.write(JSON.stringify(value) + '\n');
  };

  try {
    if (!action) throw new UsageError(`which user command? (add, list, set-role, rename, disable, enable; see --help)`);
    if (action === 'list') {
      if (name !== undefined) throw new UsageError(`unexpected argument ${name}`);
      const users = listUsers(getDb());
      if (json) output({ users: users.map(publicUser) });
      else printTable(users);
      return 0;
    }
    if (!['add', 'set-role', 'rename', 'disable', 'enable'].includes(action)) {
      throw new UsageError(`unknown user command "${action}" (add, list, set-role, rename, disable, enable)`);
    }
    if (!name) throw new UsageError(`user ${action} needs a username`);
    const newName = action === 'rename' ? extra.shift() : undefined;
    if (action === 'rename' && !newName) throw new UsageError('user rename needs the new username: user rename NAME NEW_NAME');
    if (extra.length) throw new UsageError(`unexpected argument ${extra[0]}`);
    if (action === 'rename' && values.role) throw new UsageError('--role does not apply to user rename');
    if ((action === 'disable' || action === 'enable') && values.role) throw new UsageError(`--role does not apply to user ${action}`);
    const db = getDb();

    if (action === 'add') {
      const roles = parseRoleFlags(values.role, 'add');
      const given = await passwordFromStdin();
      const password = given ?? generatePassword();
      const user = await addUser(db, { username: name, roles, password });
      process.stderr.write(`Added user ${user.username} (${user.roles.join(', ')}).\n`);
      if (json) {
        output({ username: user.username, roles: user.roles, ...(given === undefined && { password }) });
      } else if (given === undefined) {
        process.stderr.write(`Generated password, shown only this once (they can change it on their Account page):\n`);
        process.stdout.write(password + '\n');
      }
      return 0;
    }

    let user: UserSummary;
    if (action === 'set-role') {
      user = setRoles(db, name, parseRoleFlags(values.role, 'set-role'));
      process.stderr.write(`${user.username} now has the roles ${user.roles.join(', ')}.\n`);
    } else if (action === 'rename') {
      user = renameUser(db, name, newName!);
      process.stderr.write(`Renamed ${name} to ${user.username}; their verdicts, comments and jobs stay theirs.\n`);
    } else {
      user = setDisabled(db, name, action === 'disable');
      process.stderr.write(
        user.disabled ? `Disabled ${user.username}: their sessions are ended and they cannot sign in.\n` : `Enabled ${user.username}.\n`,
      );
    }
    output(publicUser(user));
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof LoupeError) return fail(error.message);
    throw error;
  }
}
