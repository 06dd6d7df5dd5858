import { Loading } from '@/components/ui';

export default function LoadingEnvironment() {
  return <Loading label="the environment" />;
}
