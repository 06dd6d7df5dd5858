/** Log lines as an operator reads them: time to the ms, level, task, message, then the line's other fields. */
import Link from 'next/link';
import { logsHref } from '@/model/log-links';
import { readLogMessage, type LogLevel, type LogLine } from '@/model/schemas/logs';
import { formatLogTime } from './format';
import { Badge, MUTED, type Tone } from './ui';

const LEVEL_TONE: Record<LogLevel, Tone> = { error: 'bad', warn: 'warn', info: 'neutral', debug: 'neutral' };

export function LogLines({
  lines,
  env,
  role,
  marked,
  taskLinks = true,
}: {
  lines: LogLine[];
  env: string;
  role: string;
  /** The permalinked line, shown marked. */
  marked?: string;
  /** Link each line's task to its own logs (not when the view is one task already). */
  taskLinks?: boolean;
}) {
  return (
    <ol className="divide-y divide-slate-100 font-mono text-xs dark:divide-slate-800" data-testid="log-lines">
      {lines.map((line) => {
        const { level, text, fields } = readLogMessage(line.message);
        const isMarked = line.id === marked;
        return (
          <li
            key={line.id}
            id={`line-${line.id}`}
            data-log-line={line.id}
            data-level={level ?? 'none'}
            aria-current={isMarked ? 'true' : undefined}
            className={`flex flex-wrap items-baseline gap-x-3 gap-y-1 px-4 py-1.5 ${
              level === 'error' ? 'bg-rose-50 dark:bg-rose-950/40' : ''
            } ${isMarked ? 'outline-2 -outline-offset-2 outline-sky-600' : ''}`}
          >
            <Link
              href={logsHref(env, role, { at: line.timestamp, line: line.id, task: line.taskId ?? undefined })}
              title="Permalink to this line"
              className={`shrink-0 tabular-nums underline-offset-2 hover:underline ${MUTED}`}
            >
              <time dateTime={new Date(line.timestamp).toISOString()}>{formatLogTime(line.timestamp)}</time>
            </Link>
            {level && level !== 'info' && <Badge tone={LEVEL_TONE[level]}>{level}</Badge>}
            {line.taskId &&
              (taskLinks ? (
                <Link
                  href={logsHref(env, role, { task: line.taskId })}
                  title={`Only task ${line.taskId}`}
                  className={`shrink-0 underline-offset-2 hover:underline ${MUTED}`}
                >
                  {line.taskId.slice(0, 8)}
                </Link>
              ) : null)}
            <span className="min-w-0 basis-full break-words whitespace-pre-wrap sm:flex-1 sm:basis-0">
              {text || line.message}
            </span>
            {fields.length > 0 && (
              <span className={`basis-full break-all ${MUTED}`}>
                {fields.map(([key, value]) => (
                  <span key={key} className="mr-3">
                    {key}={value.length > 300 ? `${value.slice(0, 300)}…` : value}
                  </span>
                ))}
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}
