import { JobsTable } from '@/components/jobs/JobsTable';
import { requirePage } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';

export const dynamic = 'force-dynamic';

export default async function JobsPage() {
  const user = await requirePage('view', '/jobs');
  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-8">
      <h1 className="mb-6 text-xl font-semibold text-neutral-100">Jobs</h1>
      <JobsTable canManage={can(user.roles, 'manage')} />
    </div>
  );
}
