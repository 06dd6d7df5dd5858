/**
 * The control plane's AWS credential path on Vercel, held against the Terraform's trust
 * policy. moto does not evaluate trust policies, so: the real provider
 * (@vercel/oidc-aws-credentials-provider) exchanges a Vercel-shaped OIDC token with the
 * emulator's STS, the emulator records what it received, and the test checks that request
 * against the control-plane role's trust policy as IAM would (action, federated principal,
 * StringEquals on aud and sub).
 */
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ROLE_SESSION_NAME, roleCredentials } from '@/lib/aws/clients';
import { interpolate, loadModule, rootStringVars, type Block } from '../support/hcl';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/pilothouse-production-control-plane';
const PROVIDER_ARN_OF = (issuerHost: string) => `arn:aws:iam::123456789012:oidc-provider/${issuerHost}`;

/**
 * A token shaped as Vercel documents its OIDC tokens (team issuer mode): iss
 * https://oidc.vercel.com/{team}, aud https://vercel.com/{team}, sub
 * owner:{team}:project:{project}:environment:{environment}. Unsigned: the emulator's STS
 * does not verify signatures; AWS verifies them against the provider's keys.
 */
function vercelToken(team: string, project: string, environment: string): string {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: `https://oidc.vercel.com/${team}`,
    aud: `https://vercel.com/${team}`,
    sub: `owner:${team}:project:${project}:environment:${environment}`,
    owner: team,
    project,
    environment,
    iat: now,
    nbf: now,
    exp: now + 3600,
  };
  return `${b64({ alg: 'RS256', typ: 'JWT', kid: 'test' })}.${b64(claims)}.signature`;
}

type WebIdentityRequest = {
  action: string;
  roleArn: string;
  roleSessionName: string;
  durationSeconds: number | null;
  claims: Record<string, string>;
};

async function webIdentityRequests(): Promise<WebIdentityRequest[]> {
  const res = await fetch(`${inject('emulatorUrl')}/_pilothouse/sts/web-identity`);
  return ((await res.json()) as { requests: WebIdentityRequest[] }).requests;
}

/** The control-plane role's trust policy, with one root's variables filled in. */
async function trustPolicy(environment: string) {
  const iam = await loadModule('iam');
  const vars: Record<string, string> = { vercel_project_name: 'pilothouse', ...rootStringVars(environment) };
  const issuer = interpolate(String((iam.locals ?? []).map((l) => l.vercel_issuer).find(Boolean)), vars);
  vars.vercel_issuer = issuer;
  vars.vercel_oidc_provider_arn = PROVIDER_ARN_OF(issuer);
  const [statement] = iam.data!.aws_iam_policy_document.control_plane_assume[0].statement as Block[];
  return {
    issuer,
    actions: statement.actions as string[],
    principals: (statement.principals as Block[]).map((p) => ({
      type: p.type,
      identifiers: (p.identifiers as string[]).map((i) => interpolate(i, vars)),
    })),
    conditions: (statement.condition as Block[]).map((c) => ({
      test: c.test as string,
      variable: interpolate(c.variable as string, vars),
      values: (c.values as string[]).map((v) => interpolate(v, vars)),
    })),
    providerArn: vars.vercel_oidc_provider_arn,
  };
}

/** IAM's decision for this trust statement: every condition must hold (StringEquals only here). */
function trusts(policy: Awaited<ReturnType<typeof trustPolicy>>, request: WebIdentityRequest): boolean {
  const tokenIssuerHost = request.claims.iss.replace(/^https:\/\//, '');
  if (!policy.actions.includes(request.action)) return false;
  // AWS matches the token's issuer to the federated principal (the OIDC provider of that URL).
  if (
    !policy.principals.some((p) => p.type === 'Federated' && p.identifiers.includes(PROVIDER_ARN_OF(tokenIssuerHost)))
  )
    return false;
  return policy.conditions.every((c) => {
    expect(c.test).toBe('StringEquals');
    const [host, claim] = [
      c.variable.slice(0, c.variable.lastIndexOf(':')),
      c.variable.slice(c.variable.lastIndexOf(':') + 1),
    ];
    return host === tokenIssuerHost && c.values.includes(request.claims[claim]);
  });
}

afterEach(() => {
  delete process.env.VERCEL_OIDC_TOKEN;
});

describe('AWS credentials on Vercel', () => {
  it("exchanges the function's OIDC token with AssumeRoleWithWebIdentity for the environment's role, no keys", async () => {
    const { vercel_team_slug: team } = rootStringVars('production');
    process.env.VERCEL_OIDC_TOKEN = vercelToken(team, 'pilothouse', 'production');
    const before = (await webIdentityRequests()).length;
    const keys = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const credentials = await roleCredentials(ROLE_ARN, 'us-east-1', 'vercel-oidc', inject('emulatorUrl'))();
      expect(credentials.accessKeyId).toBeTruthy();
      expect(credentials.expiration!.getTime()).toBeGreaterThan(Date.now());
    } finally {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: keys.id, AWS_SECRET_ACCESS_KEY: keys.secret });
    }
    const requests = (await webIdentityRequests()).slice(before);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      action: 'sts:AssumeRoleWithWebIdentity',
      roleArn: ROLE_ARN,
      roleSessionName: ROLE_SESSION_NAME,
    });
    expect(requests[0].claims.sub).toBe(`owner:${team}:project:pilothouse:environment:production`);
  });

  for (const environment of ['staging', 'production']) {
    it(`${environment}: the Terraform trusts exactly that exchange, from the production deployment of this project only`, async () => {
      const policy = await trustPolicy(environment);
      const team = rootStringVars(environment).vercel_team_slug;
      process.env.VERCEL_OIDC_TOKEN = vercelToken(team, 'pilothouse', 'production');
      const before = (await webIdentityRequests()).length;
      await roleCredentials(ROLE_ARN, 'us-east-1', 'vercel-oidc', inject('emulatorUrl'))();
      const [sent] = (await webIdentityRequests()).slice(before);

      expect(policy.actions).toEqual(['sts:AssumeRoleWithWebIdentity']);
      expect(policy.principals).toEqual([{ type: 'Federated', identifiers: [policy.providerArn] }]);
      expect(trusts(policy, sent)).toBe(true);
      // What IAM would refuse: a preview deployment, another project, another team, sts:AssumeRole.
      const claims = sent.claims;
      expect(
        trusts(policy, {
          ...sent,
          claims: { ...claims, sub: claims.sub.replace(':environment:production', ':environment:preview') },
        }),
      ).toBe(false);
      expect(
        trusts(policy, {
          ...sent,
          claims: { ...claims, sub: claims.sub.replace(':project:pilothouse:', ':project:other:') },
        }),
      ).toBe(false);
      expect(
        trusts(policy, {
          ...sent,
          claims: { ...claims, iss: 'https://oidc.vercel.com/someone-else', aud: 'https://vercel.com/someone-else' },
        }),
      ).toBe(false);
      expect(trusts(policy, { ...sent, action: 'sts:AssumeRole' })).toBe(false);
    });
  }
});

describe('the role the control plane assumes', () => {
  it("is the Terraform's control-plane role: the registry output's aws.roleArn, trusted by control_plane_assume", async () => {
    const [platform, iam] = await Promise.all([loadModule('platform'), loadModule('iam')]);
    const entry = platform.output!.control_plane_environment[0].value as { aws: { roleArn: string } };
    expect(entry.aws.roleArn).toBe('${module.iam.control_plane_role_arn}');
    expect(iam.output!.control_plane_role_arn[0].value).toBe('${aws_iam_role.control_plane.arn}');
    expect(iam.resource!.aws_iam_role.control_plane[0].assume_role_policy).toBe(
      '${data.aws_iam_policy_document.control_plane_assume.json}',
    );
  });
});

describe('the emulator names the credentials of each call', () => {
  it("counts a read made with an assumed role's credentials under that role's session, not the keys that assumed it", async () => {
    const emulatorUrl = inject('emulatorUrl');
    const byAccessKey = async () =>
      (
        (await (await fetch(`${emulatorUrl}/_pilothouse/requests/by-access-key`)).json()) as {
          byAccessKey: Record<string, { principal: string | null; byService: Record<string, number> }>;
        }
      ).byAccessKey;
    const credentials = roleCredentials(ROLE_ARN, 'us-east-1', 'assume-role', emulatorUrl);
    const ecs = new ECSClient({ region: 'us-east-1', endpoint: emulatorUrl, credentials });
    const before = await byAccessKey();
    try {
      await ecs.send(new ListClustersCommand({}));
    } finally {
      ecs.destroy();
    }
    const after = await byAccessKey();
    const madeTheCall = Object.entries(after)
      .filter(([key, counted]) => (counted.byService.ecs ?? 0) > (before[key]?.byService.ecs ?? 0))
      .map(([key, counted]) => ({ key, principal: counted.principal }));
    expect(madeTheCall).toEqual([
      {
        key: expect.not.stringMatching(`^${process.env.AWS_ACCESS_KEY_ID}$`),
        principal: `arn:aws:sts::123456789012:assumed-role/pilothouse-production-control-plane/${ROLE_SESSION_NAME}`,
      },
    ]);
    // The keys that assumed the role made the AssumeRole call, and no ECS call.
    const base = process.env.AWS_ACCESS_KEY_ID!;
    expect(after[base].principal).toBeNull();
    expect(after[base].byService.ecs ?? 0).toBe(before[base]?.byService.ecs ?? 0);
  });
});
