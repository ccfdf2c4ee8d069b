import { getDb } from '@/db';
import type { LeasesAnswer } from '@/lib/api/team';
import { route } from '@/lib/auth/guard';
import { liveLeases } from '@/lib/review/queue';

export const dynamic = 'force-dynamic';

/** GET /api/leases: the items reviewers hold right now, with who and until when. */
export const GET = route('adjudicate', () => Response.json({ leases: liveLeases(getDb()), now: Date.now() } satisfies LeasesAnswer));
