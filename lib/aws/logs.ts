import 'server-only';
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import type { Environment } from '../environments';
import { taskIdOfStream } from '../../contracts/platform';
import type { LogLine } from '../../model/schemas/logs';
import { clientFor } from './clients';
import { UpstreamError } from '../../model/errors';
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

/** A read never makes more FilterLogEvents calls than this, whatever it is asked. */
export const MAX_CALLS_PER_SEARCH = 8;

/**
 * Lines asked of FilterLogEvents per call: more than a page, so most searches take one call
 * (AWS allows 10,000 and 1 MB). A window denser than this is narrowed toward its end.
 */
const READ_PER_CALL = 1_000;
const READ_DENSE_WINDOW = 10_000;
/** The narrowest window: under it, the window is read whole (a second of logs fits in a few calls). */
const MIN_WINDOW_MS = 1_000;

/** `before`: the end of the next page (inclusive, ms) and how many lines at exactly that ms were already shown. */
function parseCursor(before: string | undefined): { end: number; skip: number } | null {
  if (!before) return null;
  const [end, skip] = before.split('-').map(Number);
  return { end, skip };
}

/**
 * The newest `limit` lines of a group (or some of its streams) that match, newest first, in at
 * most MAX_CALLS_PER_SEARCH calls. FilterLogEvents answers oldest first, so the range is read
 * from its end in windows: the whole range when it holds no more than
 * READ_PER_CALL lines, else the last minute, then windows four times wider each step while they
 * hold little; a window that holds more is narrowed toward its end and read again.
 */
export async function readNewest(
  env: Environment,
  request: {
    group: string;
    streams?: string[];
    pattern?: string;
    from: number;
    to: number;
    limit: number;
    /** A previous read's `older`: where to go on from. */
    before?: string;
  },
): Promise<{ lines: LogLine[]; older: string | null; calls: number }> {
  const { group, streams, pattern, from, to } = request;
  const cursor = parseCursor(request.before);
  let end = Math.min(cursor?.end ?? to, to);
  let skipAtEnd = cursor?.skip ?? 0;
  let width = end - from + 1;
  let calls = 0;
  const lines: LogLine[] = [];
  let older: string | null = null;

  while (lines.length < request.limit && end >= from) {
    if (calls >= MAX_CALLS_PER_SEARCH) {
      older = `${end}-${skipAtEnd}`;
      break;
    }
    const start = Math.max(from, end - width + 1);
    const narrowest = end - start < MIN_WINDOW_MS;
    const read = (nextToken?: string) =>
      filterLogEvents(env, {
        group,
        streams,
        pattern,
        start,
        end,
        limit: narrowest ? READ_DENSE_WINDOW : READ_PER_CALL,
        nextToken,
      });
    let page = await read();
    calls++;
    if (page.nextToken && !narrowest && calls < MAX_CALLS_PER_SEARCH) {
      // More in this window than one call reads: only its newest are wanted, so look closer to its end.
      width = Math.max(MIN_WINDOW_MS - 1, Math.min(60_000, Math.floor((end - start) / 4)));
      continue;
    }
    let window = page.lines;
    while (page.nextToken && calls < MAX_CALLS_PER_SEARCH) {
      page = await read(page.nextToken);
      calls++;
      window = window.concat(page.lines);
    }
    if (page.nextToken) {
      // The window could not be read to its end within the budget: its newest lines are unknown,
      // so show none of it rather than older ones out of order; the cursor resumes here.
      older = `${end}-${skipAtEnd}`;
      break;
    }
    const newestFirst = window.reverse();
    // Lines at exactly `end` that the previous page already showed.
    let skipped = 0;
    const fresh = newestFirst.filter((line) => !(line.timestamp === end && skipped++ < skipAtEnd));
    const taken = fresh.slice(0, request.limit - lines.length);
    lines.push(...taken);
    if (taken.length < fresh.length) {
      const oldest = taken.at(-1)!;
      const sameMs = taken.filter((l) => l.timestamp === oldest.timestamp).length;
      older = `${oldest.timestamp}-${sameMs + (oldest.timestamp === end ? skipAtEnd : 0)}`;
      break;
    }
    end = start - 1;
    skipAtEnd = 0;
    width = width * 4;
  }
  if (lines.length >= request.limit && older === null && end >= from) older = `${end}-${skipAtEnd}`;
  return { lines, older, calls };
}

/** Logs Insights is asked for at most this many rows; a query that has not finished by the deadline is given up. */
const INSIGHTS_POLL_MS = 250;
const INSIGHTS_DEADLINE_MS = 7_000;

/**
 * One Logs Insights query over `groups` (StartQuery, then GetQueryResults until it completes):
 * its rows as field → value. Bounded in time (start–end), in rows (the query's own `limit`),
 * and in waiting (INSIGHTS_DEADLINE_MS, inside the cache's lock).
 */
export async function runInsightsQuery(
  env: Environment,
  request: { groups: string[]; query: string; start: number; end: number; limit: number },
): Promise<Record<string, string>[]> {
  const client = logsClient(env);
  const { queryId } = await awsCall('CloudWatch Logs', 'StartQuery', () =>
    client.send(
      new StartQueryCommand({
        logGroupNames: request.groups,
        queryString: request.query,
        startTime: Math.floor(request.start / 1_000),
        endTime: Math.ceil(request.end / 1_000),
        limit: request.limit,
      }),
    ),
  );
  const deadline = Date.now() + INSIGHTS_DEADLINE_MS;
  for (;;) {
    const out = await awsCall('CloudWatch Logs', 'GetQueryResults', () =>
      client.send(new GetQueryResultsCommand({ queryId })),
    );
    if (out.status === 'Complete')
      return (out.results ?? []).map((row) =>
        Object.fromEntries(row.filter((f) => f.field && f.value !== undefined).map((f) => [f.field!, f.value!])),
      );
    if (out.status && !['Scheduled', 'Running'].includes(out.status))
      throw new UpstreamError('CloudWatch Logs', `CloudWatch Logs Insights query ${out.status.toLowerCase()}`);
    if (Date.now() > deadline)
      throw new UpstreamError('CloudWatch Logs', `CloudWatch Logs Insights query still running after 7 s`, undefined, {
        code: 'timeout',
      });
    await new Promise((resolve) => setTimeout(resolve, INSIGHTS_POLL_MS));
  }
}
