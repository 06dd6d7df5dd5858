import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="space-y-3 py-12 text-center">
      <h1 className="text-xl font-semibold">Not found</h1>
      <p className="text-slate-600 dark:text-slate-400">No environment, service, queue or job by that name.</p>
      <Link href="/" className="font-medium text-sky-700 underline-offset-2 hover:underline dark:text-sky-300">
        Back to the environments
      </Link>
    </div>
  );
}
