import { Loading } from '@/components/ui';

export default function LoadingService() {
  return <Loading label="the service" />;
}
