import { MUTED, TextLink } from '@/components/ui';

/** A signed-in person without a role in what they asked for (403). */
export default function Forbidden() {
  return (
    <div className="space-y-3 py-12 text-center">
      <h1 className="text-xl font-semibold">Not allowed</h1>
      <p className={`${MUTED}`}>
        You have no role in this environment. Roles come from GitHub team membership; ask the platform team.
      </p>
      <TextLink href="/" className="font-medium">
        Back to your environments
      </TextLink>
    </div>
  );
}
