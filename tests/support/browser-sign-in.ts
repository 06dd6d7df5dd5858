/**
 * Signs in the way a person does, in the browser: the sign-in page, GitHub's (the stand-in's)
 * authorize page, choosing the user, and back to the control plane.
 */
import { expect, type Page } from '@playwright/test';

export async function signInInBrowser(page: Page, controlPlaneUrl: string, login: string, then = '/'): Promise<void> {
  await page.goto(`${controlPlaneUrl}${then}`); // anonymous: sent to sign-in with `then` as the callback
  await expect(page).toHaveURL(/\/api\/auth\/signin/);
  await page.getByRole('button', { name: 'Sign in with GitHub' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to GitHub' })).toBeVisible();
  await page.getByRole('button', { name: `Sign in as ${login}` }).click();
  await expect(page.getByTestId('signed-in-as')).toContainText(login);
}
