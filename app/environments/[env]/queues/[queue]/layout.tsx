import { environmentOr404, queueOr404 } from '@/lib/environment-page';

/** Checks the queue's name against the environment before anything streams. */
export default async function QueueLayout({ children, params }: LayoutProps<'/environments/[env]/queues/[queue]'>) {
  const { env, queue } = await params;
  queueOr404(environmentOr404(env), queue);
  return children;
}
