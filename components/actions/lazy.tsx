'use client';
/**
 * The operator controls, loaded after the page and only where an operator is looking: a
 * viewer's page never fetches them, and no page's first load carries them.
 */
import { lazy, Suspense, type ComponentProps } from 'react';
import type * as Controls from './operator-actions';

const load = () => import('./operator-actions');
const ServiceActionsLazy = lazy(() => load().then((m) => ({ default: m.ServiceActions })));
const RollbackActionLazy = lazy(() => load().then((m) => ({ default: m.RollbackAction })));
const QueueActionsLazy = lazy(() => load().then((m) => ({ default: m.QueueActions })));
const JobActionsLazy = lazy(() => load().then((m) => ({ default: m.JobActions })));
const DeployFormLazy = lazy(() => load().then((m) => ({ default: m.DeployForm })));

export const ServiceActions = (props: ComponentProps<typeof Controls.ServiceActions>) => (
  <Suspense fallback={null}>
    <ServiceActionsLazy {...props} />
  </Suspense>
);
export const RollbackAction = (props: ComponentProps<typeof Controls.RollbackAction>) => (
  <Suspense fallback={null}>
    <RollbackActionLazy {...props} />
  </Suspense>
);
export const QueueActions = (props: ComponentProps<typeof Controls.QueueActions>) => (
  <Suspense fallback={null}>
    <QueueActionsLazy {...props} />
  </Suspense>
);
export const JobActions = (props: ComponentProps<typeof Controls.JobActions>) => (
  <Suspense fallback={null}>
    <JobActionsLazy {...props} />
  </Suspense>
);
export const DeployForm = (props: ComponentProps<typeof Controls.DeployForm>) => (
  <Suspense fallback={null}>
    <DeployFormLazy {...props} />
  </Suspense>
);
export type { ActionTarget } from './operator-actions';
