/** Reject reason tags, in the order of their number keys on the review page. */
export const REJECT_REASONS = [
  { tag: 'instruction_not_followed', label: 'Instruction not followed' },
  { tag: 'artifacts', label: 'Artifacts' },
  { tag: 'identity_changed', label: 'Identity / unrelated content changed' },
  { tag: 'padding_aspect', label: 'Padding or aspect problem' },
  { tag: 'other', label: 'Other' },
] as const;

export type RejectReason = (typeof REJECT_REASONS)[number]['tag'];

/** The tags alone, as a non-empty tuple for validation. */
export const REJECT_REASON_TAGS = REJECT_REASONS.map((r) => r.tag) as [RejectReason, ...RejectReason[]];
