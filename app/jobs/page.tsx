import { JobsTable } from '@/components/jobs/JobsTable';

export const dynamic = 'force-dynamic';

export default function JobsPage() {
  return (
    <div className="mx-auto w-full max-w-6xl px-6 py-8">
      <h1 className="mb-6 text-xl font-semibold text-neutral-100">Jobs</h1>
      <JobsTable />
    </div>
  );
}
