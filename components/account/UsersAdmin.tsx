'use client';

import { useState } from 'react';
import { post, request } from '@/lib/api/client';
import type { AddUserAnswer, AddUserRequest, ChangeUserAnswer, ChangeUserRequest } from '@/lib/api/users';
import { ROLES, type Role } from '@/lib/auth/roles';
import type { UserSummary } from '@/lib/auth/users';
import { Button } from '@/components/ui/Button';
import { Field } from '@/components/ui/Field';
import { Input } from '@/components/ui/Input';
import { Row, Table } from '@/components/ui/Table';
import { ROLE_TEXT } from './permissions';

/** UTC, to the minute, as on the exports page. */
const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

function RoleBoxes({
  value,
  onChange,
  name,
  disabledRole,
}: {
  value: Role[];
  onChange: (roles: Role[]) => void;
  name: string;
  disabledRole?: Role;
}) {
  return (
    <div className="flex flex-wrap gap-x-3 gap-y-1" role="group" aria-label={`Roles of ${name}`}>
      {ROLES.map((role) => (
        <label key={role} className="flex items-center gap-1.5 text-sm text-neutral-300" title={ROLE_TEXT[role]}>
          <input
            type="checkbox"
            className="accent-neutral-300"
            checked={value.includes(role)}
            disabled={role === disabledRole}
            onChange={(event) =>
              onChange(event.target.checked ? ROLES.filter((r) => r === role || value.includes(r)) : value.filter((r) => r !== role))
            }
          />
          {role}
        </label>
      ))}
    </div>
  );
}

/**
 * One account: its name (Rename: the account keeps its work, which is recorded by user id), its
 * roles (saved with Save) and an enable/disable toggle.
 */
function UserRow({ user, self, onChanged }: { user: UserSummary; self: boolean; onChanged: (user: UserSummary) => void }) {
  const [roles, setRoles] = useState<Role[]>(user.roles);
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const dirty = roles.join(',') !== user.roles.join(',');

  async function patch(change: ChangeUserRequest) {
    setPending(true);
    setError(undefined);
    try {
      const { user: updated } = await request<ChangeUserAnswer>(`/api/users/${encodeURIComponent(user.username)}`, 'PATCH', change);
      setRoles(updated.roles);
      onChanged(updated);
      setRenaming(false);
    } catch (e) {
      setError((e as Error).message);
    }
    setPending(false);
  }

  return (
    <Row className="align-top" data-testid={`user-${user.username}`}>
      <td className="py-2.5 pr-4">
        {renaming ? (
          <form
            className="flex items-center gap-2"
            onSubmit={(event) => {
              event.preventDefault();
              void patch({ username: String(new FormData(event.currentTarget).get('username')).trim() });
            }}
          >
            <Input
              size="md"
              name="username"
              aria-label={`New username for ${user.username}`}
              defaultValue={user.username}
              required
              autoFocus
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              className="w-36"
            />
            <Button type="submit" disabled={pending}>
              Save
            </Button>
            <Button disabled={pending} onClick={() => setRenaming(false)}>
              Cancel
            </Button>
          </form>
        ) : (
          <>
            <span className={user.disabled ? 'text-neutral-500 line-through' : 'text-neutral-100'}>{user.username}</span>
            {self && <span className="ml-2 text-xs text-neutral-500">you</span>}
            <button
              type="button"
              className="ml-2 text-xs text-neutral-500 underline-offset-2 hover:text-neutral-300 hover:underline"
              onClick={() => setRenaming(true)}
              title="Their verdicts, comments and statistics stay theirs under the new name"
            >
              Rename
            </button>
          </>
        )}
      </td>
      <td className="py-2.5 pr-4">
        <div className="flex items-center gap-3">
          {/* An admin keeps their own admin role: the server refuses it too. */}
          <RoleBoxes value={roles} onChange={setRoles} name={user.username} disabledRole={self ? 'admin' : undefined} />
          {dirty && (
            <Button disabled={pending || roles.length === 0} onClick={() => void patch({ roles })}>
              Save
            </Button>
          )}
        </div>
        {dirty && roles.length === 0 && (
          <p className="mt-1 text-xs text-amber-300/90">A user needs at least one role; disable the account instead.</p>
        )}
        {error && (
          <p role="alert" className="mt-1 text-xs text-rose-300">
            {error}
          </p>
        )}
      </td>
      <td className="py-2.5 pr-4">
        <span
          className={`rounded px-1.5 py-0.5 text-xs ${user.disabled ? 'bg-neutral-800 text-neutral-400' : 'bg-emerald-500/15 text-emerald-300'}`}
        >
          {user.disabled ? 'disabled' : 'active'}
        </span>
      </td>
      <td className="py-2.5 pr-4 tabular-nums text-neutral-400">{when(user.createdAt)}</td>
      <td className="py-2.5 text-right">
        {!self && (
          <Button disabled={pending} onClick={() => void patch({ disabled: !user.disabled })}>
            {user.disabled ? 'Enable' : 'Disable'}
          </Button>
        )}
      </td>
    </Row>
  );
}

/** Adds an account; a generated password is shown once, to be handed to its owner. */
function AddUserForm({ minPasswordLength, onAdded }: { minPasswordLength: number; onAdded: (user: UserSummary) => void }) {
  const [roles, setRoles] = useState<Role[]>(['annotator']);
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<{ username: string; password?: string }>();
  const [pending, setPending] = useState(false);

  async function submit(form: HTMLFormElement) {
    const data = new FormData(form);
    const username = String(data.get('username')).trim();
    const password = String(data.get('password'));
    if (password && password.length < minPasswordLength)
      return setError(`The password needs at least ${minPasswordLength} characters (or leave it empty).`);
    setPending(true);
    setError(undefined);
    setCreated(undefined);
    try {
      const answer = await post<AddUserAnswer>('/api/users', { username, roles, password: password || undefined } satisfies AddUserRequest);
      form.reset();
      setRoles(['annotator']);
      setCreated({ username: answer.user.username, password: answer.password });
      onAdded(answer.user);
    } catch (e) {
      setError((e as Error).message);
    }
    setPending(false);
  }

  return (
    <form
      aria-label="Add user"
      className="mb-8 rounded-lg border border-neutral-800 p-4"
      onSubmit={(event) => {
        event.preventDefault();
        if (!pending) void submit(event.currentTarget);
      }}
    >
      <h2 className="mb-3 text-sm font-medium text-neutral-200">Add user</h2>
      <div className="flex flex-wrap items-end gap-4">
        <Field label="Username">
          <Input
            id="new-username"
            size="md"
            name="username"
            required
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            className="w-44"
          />
        </Field>
        <Field label="Password (optional)">
          <Input
            id="new-password"
            size="md"
            name="password"
            type="password"
            autoComplete="new-password"
            placeholder="generate one"
            className="w-52"
          />
        </Field>
        <div className="flex flex-col gap-1.5 pb-1.5">
          <span className="text-xs text-neutral-500">Roles</span>
          <RoleBoxes value={roles} onChange={setRoles} name="the new user" />
        </div>
        <Button type="submit" variant="primary" size="md" disabled={pending || roles.length === 0}>
          Add user
        </Button>
      </div>
      {error && (
        <p role="alert" className="mt-3 text-sm text-rose-300">
          {error}
        </p>
      )}
      {created && (
        <div role="status" className="mt-3 rounded-md border border-emerald-500/30 bg-emerald-500/10 px-3 py-2 text-sm text-emerald-100">
          Added <span className="font-medium">{created.username}</span>.
          {created.password && (
            <>
              {' '}
              Their password, shown only now:{' '}
              <code
                className="select-all rounded bg-neutral-950/60 px-1.5 py-0.5 font-mono text-emerald-200"
                data-testid="generated-password"
              >
                {created.password}
              </code>{' '}
              They can change it on their Account page.
            </>
          )}
        </div>
      )}
    </form>
  );
}

/** The users page: add accounts, change roles, disable and enable. */
export function UsersAdmin({ initial, self, minPasswordLength }: { initial: UserSummary[]; self: string; minPasswordLength: number }) {
  const [users, setUsers] = useState(initial);
  const replace = (user: UserSummary) => setUsers((list) => list.map((u) => (u.id === user.id ? user : u)));
  const add = (user: UserSummary) => setUsers((list) => [...list, user].sort((a, b) => a.username.localeCompare(b.username)));

  return (
    <div>
      <AddUserForm minPasswordLength={minPasswordLength} onAdded={add} />
      <Table
        testId="users-table"
        columns={[
          { header: 'Username', className: 'w-44' },
          'Roles',
          { header: 'Status', className: 'w-24' },
          { header: 'Created (UTC)', className: 'w-40' },
          { className: 'w-24' },
        ]}
      >
        {users.map((user) => (
          <UserRow key={user.id} user={user} self={user.id === self} onChanged={replace} />
        ))}
      </Table>
      <dl className="mt-6 grid grid-cols-[6rem_1fr] gap-y-1 text-xs text-neutral-500">
        {ROLES.map((role) => (
          <div key={role} className="contents">
            <dt className="text-neutral-400">{role}</dt>
            <dd>{ROLE_TEXT[role]}</dd>
          </div>
        ))}
      </dl>
      <p className="mt-3 text-xs text-neutral-500">
        Everyone signed in sees datasets, jobs and their own statistics. Disabling a user ends their sessions at once.
      </p>
    </div>
  );
}
