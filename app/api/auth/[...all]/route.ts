import { getAuth } from '@/lib/auth/auth';

export const dynamic = 'force-dynamic';

/** better-auth's endpoints: sign-in/username, sign-out, change-password, get-session, ... */
export const GET = (request: Request) => getAuth().handler(request);
export const POST = (request: Request) => getAuth().handler(request);
