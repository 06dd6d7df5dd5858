/**
 * Signing in as a person does, through the GitHub stand-in's OAuth pages: who gets in with
 * which roles, who is refused and why, and that nothing is readable after signing out.
 */
import { expect, test } from '@playwright/test';
import { LOCAL_USERS } from '../../scripts/platform';
import { signInInBrowser } from '../support/browser-sign-in';

const baseURL = () => process.env.PILOTHOUSE_E2E_URL!;
test.use({ storageState: { cookies: [], origins: [] } }); // everyone starts anonymous here

test('an operator signs in through GitHub and lands where they were going, with their roles shown', async ({
  page,
}) => {
  await signInInBrowser(page, baseURL(), LOCAL_USERS.operator.login, '/environments/staging/deploys');
  await expect(page).toHaveURL(`${baseURL()}/environments/staging/deploys`);
  await expect(page.getByTestId('roles')).toHaveText('· operator of staging, operator of production');
  const cookie = (await page.context().cookies()).find((c) => c.name === 'next-auth.session-token')!;
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
});

test('someone in no team is refused at sign-in with the reason, and stays signed out', async ({ page }) => {
  await page.goto(`${baseURL()}/api/auth/signin`);
  await page.getByRole('button', { name: 'Sign in with GitHub' }).click();
  await page.getByRole('button', { name: `Sign in as ${LOCAL_USERS.outsider.login}` }).click();
  await expect(page).toHaveURL(/\/signin\/refused\?reason=no-role/);
  await expect(page.getByTestId('refusal')).toContainText(
    `${LOCAL_USERS.outsider.login} has no role in any environment`,
  );
  await page.goto(baseURL());
  await expect(page).toHaveURL(/\/api\/auth\/signin/);
  const odd = await page.goto(`${baseURL()}/signin/refused?reason=__proto__`);
  expect(odd!.status()).toBe(200);
  // The icon Chromium asks for on next-auth's page goes to ours, never to sign-in (where it would become the callback).
  const icon = await fetch(`${baseURL()}/favicon.ico`, { redirect: 'manual' });
  expect([icon.status, icon.headers.get('location')]).toEqual([308, '/favicon.svg']);
});

test('an operator of staging only sees staging, and production answers 403', async ({ page }) => {
  await signInInBrowser(page, baseURL(), LOCAL_USERS.stagingOperator.login);
  await expect(page.getByRole('region', { name: 'staging', exact: true })).toBeVisible();
  await expect(page.getByRole('region', { name: 'production', exact: true })).toHaveCount(0);
  const production = await page.goto(`${baseURL()}/environments/production`);
  expect(production!.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
});

test('after signing out nothing is readable: pages go to sign-in, the live stream answers 401', async ({ page }) => {
  await signInInBrowser(page, baseURL(), LOCAL_USERS.viewer.login);
  await page.getByRole('link', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click(); // next-auth's confirmation (a POST with its CSRF token)
  for (const path of ['/', '/environments/staging', '/environments/staging/queues/pdf']) {
    await page.goto(`${baseURL()}${path}`);
    await expect(page).toHaveURL(/\/api\/auth\/signin/);
  }
  const live = await page.request.get(`${baseURL()}/api/environments/staging/live`);
  expect(live.status()).toBe(401);
  expect(await live.json()).toEqual({ error: { code: 'unauthorized', message: 'sign in first' } });
});

test('a sign-in that asks to go to another site comes back to this one', async ({ page }) => {
  await page.goto(`${baseURL()}/api/auth/signin?callbackUrl=${encodeURIComponent('https://evil.example/steal')}`);
  await page.getByRole('button', { name: 'Sign in with GitHub' }).click();
  await page.getByRole('button', { name: `Sign in as ${LOCAL_USERS.viewer.login}` }).click();
  await expect(page.getByTestId('signed-in-as')).toContainText(LOCAL_USERS.viewer.login);
  expect(new URL(page.url()).origin).toBe(baseURL());
});
