/**
 * The deploy preview: lib/github's compare and commit lookups against the stand-in (which serves
 * the demo repository's history as GitHub's compare API documents), and lib/deploy-preview
 * composing them with what the seeded staging runs (ECS) and what ECR holds.
 */
import { Octokit } from '@octokit/rest';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { previewDeploy } from '@/lib/deploy-preview';
import { compareRefs, resolveCommit } from '@/lib/github';
import { closeQueueRedis } from '@/lib/queue';
import { closeRedis } from '@/lib/redis';
import { demoRepository, DEPLOYED_COMMITS, MAIN_COMMITS, type startGithubStandin } from '../../scripts/platform';
import { pointDataLayerAtLocalPlatform, seededEnvironment } from '../support/aws';

let github: Awaited<ReturnType<typeof startGithubStandin>>;
const TOKEN = 'ghs_preview';
const repository = demoRepository();
const main = (i: number) => repository.commits[i].sha;
const env = () => seededEnvironment('staging');
const octokit = () => new Octokit({ auth: TOKEN, baseUrl: github.url, userAgent: 'pilothouse-test' });

beforeAll(async () => {
  github = await pointDataLayerAtLocalPlatform(TOKEN);
  process.env.REDIS_URL = `${inject('redisUrl')}/8`;
  const redis = new Redis(process.env.REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
});
afterAll(async () => {
  closeRedis();
  closeQueueRedis();
  await github?.close();
});

describe('lib/github compare and commit lookups', () => {
  it('lists the commits a ref has and the base lacks, newest first, as GitHub’s compare counts them', async () => {
    const ahead = await compareRefs(env(), main(29), 'main', octokit());
    expect(ahead).toMatchObject({ status: 'ahead', aheadBy: MAIN_COMMITS - 1 - 29, behindBy: 0 });
    expect(ahead!.commits.map((c) => c.sha)).toEqual(
      Array.from({ length: MAIN_COMMITS - 1 - 29 }, (_, i) => main(MAIN_COMMITS - 1 - i)),
    );
    expect(ahead!.commits[0]).toMatchObject({
      subject: repository.commits[MAIN_COMMITS - 1].message.split('\n')[0],
      author: repository.commits[MAIN_COMMITS - 1].author.login,
    });

    expect(await compareRefs(env(), 'main', 'v1.3.0', octokit())).toMatchObject({
      status: 'behind',
      aheadBy: 0,
      behindBy: MAIN_COMMITS - 1 - 29,
      commits: [],
    });
    expect(await compareRefs(env(), 'main', main(MAIN_COMMITS - 1).slice(0, 7), octokit())).toMatchObject({
      status: 'identical',
      aheadBy: 0,
      behindBy: 0,
    });
    // The feature branch forked from main's commit 35 and has two of its own; main[37] has two it lacks.
    expect(await compareRefs(env(), main(37), 'feature/pdf-margins', octokit())).toMatchObject({
      status: 'diverged',
      aheadBy: 2,
      behindBy: 2,
    });
    expect(await compareRefs(env(), 'main', 'no-such-branch', octokit())).toBeNull();
    expect(github.violations).toEqual([]);
  });

  it('resolves branches, tags and abbreviated SHAs to the commit, and an unknown ref to null', async () => {
    expect(await resolveCommit(env(), 'feature/pdf-margins', octokit())).toBe(
      repository.branches['feature/pdf-margins'],
    );
    expect(await resolveCommit(env(), 'v1.4.0', octokit())).toBe(main(37));
    expect(await resolveCommit(env(), main(12).slice(0, 10), octokit())).toBe(main(12));
    expect(await resolveCommit(env(), 'nope', octokit())).toBeNull();
  });
});

describe('lib/deploy-preview against the seeded staging', () => {
  it('compares main with the commit staging runs, and says its image is not built yet', async () => {
    const running = DEPLOYED_COMMITS.staging.at(-1)!;
    const preview = await previewDeploy(env(), { ref: 'main' });
    expect(preview).toMatchObject({
      ref: 'main',
      sha: main(MAIN_COMMITS - 1),
      live: { imageTag: main(running) },
      comparison: { status: 'ahead', aheadBy: MAIN_COMMITS - 1 - running },
      comparisonProblem: null,
      image: { tag: main(MAIN_COMMITS - 1), exists: false },
    });
  });

  it('finds the image of a ref that was built before, and an older one as going back', async () => {
    const preview = await previewDeploy(env(), { ref: main(DEPLOYED_COMMITS.staging[0]) });
    expect(preview.comparison).toMatchObject({
      status: 'behind',
      behindBy: DEPLOYED_COMMITS.staging.at(-1)! - DEPLOYED_COMMITS.staging[0],
    });
    expect(preview.image).toEqual({ tag: main(DEPLOYED_COMMITS.staging[0]), exists: true });
  });

  it('refuses a ref GitHub does not know with a clear message', async () => {
    await expect(previewDeploy(env(), { ref: 'release/never' })).rejects.toThrow(
      /GitHub knows no branch, tag or commit "release\/never"/,
    );
  });
});
