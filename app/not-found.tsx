import { MUTED, TextLink } from '@/components/ui';

export default function NotFound() {
  return (
    <div className="space-y-3 py-12 text-center">
      <h1 className="text-xl font-semibold">Not found</h1>
      <p className={`${MUTED}`}>No environment, service, queue or job by that name.</p>
      <TextLink href="/" className="font-medium">
        Back to the environments
      </TextLink>
    </div>
  );
}
