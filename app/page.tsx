import { connection } from 'next/server';
import { EnvironmentPanel } from '@/components/environment-panel';
import { getOverview } from '@/lib/overview';

export default async function OverviewPage() {
  await connection(); // live data: render per request, never at build time
  const environments = await getOverview();
  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold">Environments</h1>
      {environments.map((snapshot) => (
        <EnvironmentPanel key={snapshot.environment.name} snapshot={snapshot} />
      ))}
    </div>
  );
}
