import Link from 'next/link';

/** A signed-in person without a role in what they asked for (403). */
export default function Forbidden() {
  return (
    <div className="space-y-3 py-12 text-center">
      <h1 className="text-xl font-semibold">Not allowed</h1>
      <p className="text-slate-600 dark:text-slate-400">
        You have no role in this environment. Roles come from GitHub team membership; ask the platform team.
      </p>
      <Link href="/" className="font-medium text-sky-700 underline-offset-2 hover:underline dark:text-sky-300">
        Back to your environments
      </Link>
    </div>
  );
}
