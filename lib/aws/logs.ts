import 'server-only';
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Environment } from '../environments';
import { taskIdOfStream } from '../../contracts/platform';
import type { LogLine } from '../../model/schemas/logs';
import { clientFor } from './clients';
import { awsCall } from './errors';

export function logsClient(env: Environment): CloudWatchLogsClient {
  return clientFor(CloudWatchLogsClient, env);
}

/** FilterLogEvents takes at most 100 stream names per call (CloudWatch Logs API reference). */
export const FILTER_STREAMS_MAX = 100;

export type FilterPage = { lines: LogLine[]; nextToken: string | null };

/**
 * One FilterLogEvents call: the oldest `limit` matching events of the window (AWS returns them
 * in ascending time), and the token to read on when there are more.
 */
export async function filterLogEvents(
  env: Environment,
  request: {
    group: string;
    streams?: string[];
    pattern?: string;
    start: number;
    end: number;
    limit: number;
    nextToken?: string;
  },
): Promise<FilterPage> {
  const out = await awsCall('CloudWatch Logs', 'FilterLogEvents', () =>
    logsClient(env).send(
      new FilterLogEventsCommand({
        logGroupName: request.group,
        logStreamNames: request.streams?.length ? request.streams : undefined,
        filterPattern: request.pattern || undefined,
        startTime: request.start,
        endTime: request.end,
        limit: request.limit,
        nextToken: request.nextToken,
      }),
    ),
  );
  return { lines: (out.events ?? []).map(toLogLine), nextToken: out.nextToken ?? null };
}

function toLogLine(event: FilteredLogEvent): LogLine {
  const stream = event.logStreamName ?? '';
  return {
    id: event.eventId ?? `${stream}:${event.timestamp}`,
    timestamp: event.timestamp ?? 0,
    stream,
    taskId: taskIdOfStream(stream),
    message: event.message ?? '',
  };
}

/** The names of the group's streams that start with `prefix` (at most `limit`). */
export async function listLogStreams(
  env: Environment,
  group: string,
  prefix: string,
  limit = 50,
): Promise<{ name: string; lastEventAt: number | null }[]> {
  const out = await awsCall('CloudWatch Logs', 'DescribeLogStreams', () =>
    logsClient(env).send(new DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: prefix, limit })),
  );
  return (out.logStreams ?? []).map((s) => ({
    name: s.logStreamName ?? '',
    lastEventAt: s.lastEventTimestamp ?? null,
  }));
}
