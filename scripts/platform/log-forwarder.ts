/**
 * What ECS's awslogs driver does for a task, for the local services: each line a process
 * writes (stdout and stderr) becomes one event in CloudWatch Logs (here the emulator's),
 * in the service's log group under the task's stream (contracts/platform.ts). Lines are
 * batched as the driver batches them, but flushed every 250 ms rather than 5 s so a live
 * tail sees them promptly. Only real output is sent: nothing here invents a line.
 */
import {
  CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { serviceLogGroup, taskLogStream, type ServiceRole } from '../../contracts/platform';
import { EMULATOR_CREDENTIALS } from './local-platform';

export type LogDestination = { emulatorUrl: string; region: string; group: string; stream: string };

/** PutLogEvents takes at most 10,000 events and 1 MiB per call; an event at most 256 KiB. */
const MAX_BATCH_EVENTS = 10_000;
const MAX_BATCH_BYTES = 1_000_000;
const MAX_EVENT_BYTES = 256 * 1024 - 26;
const FLUSH_EVERY_MS = 250;

export type LogForwarder = { write(line: string): void; close(): Promise<void> };

export function forwardLogs(destination: LogDestination): LogForwarder {
  const client = new CloudWatchLogsClient({
    region: destination.region,
    endpoint: destination.emulatorUrl,
    credentials: EMULATOR_CREDENTIALS,
  });
  let pending: { timestamp: number; message: string }[] = [];
  let streamReady: Promise<void> | undefined;
  let sending = Promise.resolve();

  const ensureStream = () =>
    (streamReady ??= client
      .send(new CreateLogStreamCommand({ logGroupName: destination.group, logStreamName: destination.stream }))
      .then(
        () => {},
        (err: unknown) => {
          if (err instanceof ResourceAlreadyExistsException) return;
          streamReady = undefined;
          throw err;
        },
      ));

  const flush = () => {
    if (!pending.length) return sending;
    const events = pending;
    pending = [];
    sending = sending.then(async () => {
      try {
        await ensureStream();
        for (let i = 0; i < events.length;) {
          let bytes = 0;
          let end = i;
          while (end < events.length && end - i < MAX_BATCH_EVENTS) {
            bytes += Buffer.byteLength(events[end].message) + 26;
            if (bytes > MAX_BATCH_BYTES && end > i) break;
            end++;
          }
          await client.send(
            new PutLogEventsCommand({
              logGroupName: destination.group,
              logStreamName: destination.stream,
              logEvents: events.slice(i, end),
            }),
          );
          i = end;
        }
      } catch (err) {
        // As the driver in non-blocking mode: a failed delivery drops the batch, never the process.
        console.error(`log forwarder: ${destination.group} ${destination.stream}: ${(err as Error).message}`);
      }
    });
    return sending;
  };
  const timer = setInterval(() => void flush(), FLUSH_EVERY_MS);
  timer.unref();

  return {
    write(line) {
      if (!line) return;
      const message = Buffer.byteLength(line) > MAX_EVENT_BYTES ? line.slice(0, MAX_EVENT_BYTES / 4) : line;
      pending.push({ timestamp: Date.now(), message });
    },
    async close() {
      clearInterval(timer);
      await flush();
      client.destroy();
    },
  };
}

/**
 * Where a local process's lines go when it stands in for one of the service's running tasks
 * in the emulator: that task's stream, so its logs are found from its row on the service page.
 */
export async function taskLogDestination(options: {
  emulatorUrl: string;
  region: string;
  cluster: string;
  role: ServiceRole;
  /** Which running task (in ListTasks order) the process stands in for. */
  index?: number;
}): Promise<LogDestination & { taskId: string; taskArn: string }> {
  const ecs = new ECSClient({
    region: options.region,
    endpoint: options.emulatorUrl,
    credentials: EMULATOR_CREDENTIALS,
  });
  try {
    const { taskArns = [] } = await ecs.send(
      new ListTasksCommand({ cluster: options.cluster, serviceName: options.role, desiredStatus: 'RUNNING' }),
    );
    const arn = taskArns[options.index ?? 0];
    if (!arn) throw new Error(`no running ${options.role} task in ${options.cluster} to stand in for`);
    const taskId = arn.split('/').pop()!;
    return {
      emulatorUrl: options.emulatorUrl,
      region: options.region,
      group: serviceLogGroup(options.cluster, options.role),
      stream: taskLogStream(options.role, taskId),
      taskId,
      taskArn: arn,
    };
  } finally {
    ecs.destroy();
  }
}
