import Link from 'next/link';
import { buttonClass } from '@/components/ui/Button';

/** What notFound() and an unknown URL render (with a 404), inside the app's layout and header. */
export default function NotFound() {
  return (
    <div className="flex flex-1 items-center justify-center px-6 py-16">
      <div className="max-w-md text-center">
        <h1 className="text-xl font-semibold text-neutral-100">Page not found</h1>
        <p className="mt-3 text-sm leading-6 text-neutral-400">
          There is nothing at this address: the item, dataset or audit may have been removed, or the link is mistyped.
        </p>
        <Link href="/" className={buttonClass({ size: 'md', className: 'mt-6' })}>
          Back to the datasets
        </Link>
      </div>
    </div>
  );
}
