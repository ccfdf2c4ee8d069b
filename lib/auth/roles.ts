/** Loupe's roles; a user may hold several. */
export const ROLES = ['annotator', 'lead', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a request may do. Every page and route handler names exactly one permission, and
 * docs/api.md's authorization matrix is generated from the same table.
 */
export const PERMISSIONS = {
  /** See datasets, items and one's own statistics: every signed-in user. */
  view: ['annotator', 'lead', 'auditor', 'admin'],
  /** Claim items, give verdicts, edit instructions, regenerate one item, comment. */
  review: ['annotator', 'lead'],
  /** Import, batch regeneration, exports, dataset settings. */
  manage: ['lead'],
  /** Decide disputed items, mark gold items, see everyone's statistics and leases. */
  adjudicate: ['lead'],
  /** Spot-check regeneration quality. */
  audit: ['auditor', 'lead'],
  /** Add users, change roles, disable accounts. */
  users: ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Roles stored as "annotator,lead"; unknown names are dropped. */
export function parseRoles(stored: string | null | undefined): Role[] {
  return (stored ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(isRole);
}

export function formatRoles(roles: Iterable<Role>): string {
  return ROLES.filter((role) => new Set(roles).has(role)).join(',');
}

export function can(roles: readonly Role[], permission: Permission): boolean {
  return roles.some((role) => (PERMISSIONS[permission] as readonly Role[]).includes(role));
}
