/**
 * The git history of the local platform's repository, shared by the seed (its images are
 * tagged with these commits' full SHAs, as .github/workflows/deploy.yml tags them) and the
 * GitHub stand-in (which serves it through the compare and commit endpoints). Deterministic:
 * the same SHAs every run, so a test can name them.
 */
import { createHash } from 'node:crypto';

export type DemoCommit = {
  sha: string;
  message: string;
  author: { login: string; name: string; email: string };
  date: string;
  parents: string[];
};
export type DemoRepository = { commits: DemoCommit[]; branches: Record<string, string>; tags: Record<string, string> };

const AUTHORS = [
  { login: 'olivia-ops', name: 'Olivia Ops', email: 'olivia@example.com' },
  { login: 'dev-dana', name: 'Dana Developer', email: 'dana@example.com' },
  { login: 'sam-staging', name: 'Sam Staging', email: 'sam@example.com' },
];
const SUBJECTS = [
  'api: validate job options before enqueueing',
  'worker: close the page when navigation times out',
  'pdf: honour the margin option',
  'scrape: cap extracted text at 200k characters',
  'api: return 429 with retry-after from the rate limiter',
  'worker: reuse the browser context between jobs',
  'deps: bump playwright-core',
  'screenshot: clip full-page shots at 16k pixels',
  'api: add request ids to every log line',
  'worker: publish the queue backlog metric every 30 s',
];

/** Commits on main, oldest first. */
export const MAIN_COMMITS = 40;
/** Which main commits each environment's images were built from (the last one is running). */
export const DEPLOYED_COMMITS = { production: [25, 26, 27, 28, 29], staging: [33, 34, 35, 36, 37] } as const;

function sha(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

export function demoRepository(now = Date.parse('2026-11-01T00:00:00Z')): DemoRepository {
  const commits: DemoCommit[] = [];
  const hour = 3_600_000;
  let parent: string | null = null;
  for (let i = 0; i < MAIN_COMMITS; i++) {
    const commit: DemoCommit = {
      sha: sha(`pilothouse main ${i}`),
      message: `${SUBJECTS[i % SUBJECTS.length]}${i % SUBJECTS.length === i ? '' : ` (#${100 + i})`}\n\nPart of the ${i < 30 ? 'autumn' : 'winter'} release.`,
      author: AUTHORS[i % AUTHORS.length],
      date: new Date(now - (MAIN_COMMITS - i) * 6 * hour).toISOString(),
      parents: parent ? [parent] : [],
    };
    commits.push(commit);
    parent = commit.sha;
  }
  // A branch off main[35] with two commits of its own: compared with main, it has diverged.
  const fork = commits[35].sha;
  const branch1: DemoCommit = {
    sha: sha('pilothouse branch 1'),
    message: 'pdf: try a larger default margin',
    author: AUTHORS[1],
    date: new Date(now - 20 * hour).toISOString(),
    parents: [fork],
  };
  const branch2: DemoCommit = {
    sha: sha('pilothouse branch 2'),
    message: 'pdf: margins in the job result',
    author: AUTHORS[1],
    date: new Date(now - 19 * hour).toISOString(),
    parents: [branch1.sha],
  };
  commits.push(branch1, branch2);
  return {
    commits,
    branches: { main: commits[MAIN_COMMITS - 1].sha, 'feature/pdf-margins': branch2.sha },
    tags: { 'v1.3.0': commits[29].sha, 'v1.4.0': commits[37].sha },
  };
}

/** The image tags an environment's repositories hold, oldest first: full commit SHAs. */
export function deployedImageTags(environment: keyof typeof DEPLOYED_COMMITS, repository = demoRepository()): string[] {
  return DEPLOYED_COMMITS[environment].map((i) => repository.commits[i].sha);
}
