import type { Permission, Role } from '@/lib/auth/roles';

/** Each role in a few words (everyone signed in also sees datasets, jobs and their own statistics). */
export const ROLE_TEXT: Record<Role, string> = {
  annotator: 'reviews items',
  lead: 'reviews; imports, batch regeneration and exports; adjudicates; audits',
  auditor: 'spot-checks regeneration quality',
  admin: 'manages accounts (the Users page)',
};

/** What each permission lets a user do, as the account page says it. */
export const PERMISSION_TEXT: Record<Permission, string> = {
  view: 'see datasets, jobs and your own statistics',
  review: 'review items: verdicts, instruction edits, regenerating one item',
  manage: 'import, batch regeneration and exports',
  adjudicate: 'decide disputed items and see everyone’s statistics',
  audit: 'spot-check regeneration quality',
  users: 'add users, change roles, disable accounts',
};
