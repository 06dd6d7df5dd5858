/**
 * Signs a GitHub login in to a running control plane through the whole OAuth web flow, the
 * way a browser does (next-auth's CSRF token and state cookie, the GitHub stand-in's authorize
 * form, the callback), and returns the session's Cookie header. For the benchmark and the
 * authorization tests; the end-to-end tests use a real browser.
 */
export async function signInWithStandin(controlPlaneUrl: string, login: string): Promise<string> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at).trim(), pair.slice(at + 1));
    }
  };
  const request = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), cookie: cookieHeader() },
    });
    keep(response);
    return response;
  };

  const csrf = (await (await request(`${controlPlaneUrl}/api/auth/csrf`)).json()) as { csrfToken: string };
  const start = await request(`${controlPlaneUrl}/api/auth/signin/github`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrfToken: csrf.csrfToken, callbackUrl: `${controlPlaneUrl}/`, json: 'true' }),
  });
  const authorizeUrl =
    start.status === 200 ? ((await start.json()) as { url: string }).url : start.headers.get('location');
  if (!authorizeUrl) throw new Error(`sign-in did not start: ${start.status}`);
  const authorize = new URL(authorizeUrl);
  if (!authorize.pathname.endsWith('/login/oauth/authorize'))
    throw new Error(`sign-in went to ${authorizeUrl}, not GitHub's authorize page`);

  // Choosing the user on the stand-in's page: its form posts these fields.
  const form = new URLSearchParams({ login });
  for (const name of ['client_id', 'redirect_uri', 'state', 'scope'])
    form.set(name, authorize.searchParams.get(name) ?? '');
  const chosen = await fetch(`${authorize.origin}/login/oauth/authorize`, {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  const callback = chosen.headers.get('location');
  if (chosen.status !== 302 || !callback) throw new Error(`the stand-in did not redirect back: ${chosen.status}`);

  const done = await request(callback);
  const landing = done.headers.get('location') ?? '';
  if (!jar.has('next-auth.session-token')) throw new Error(`${login} was not signed in (${done.status} to ${landing})`);
  return cookieHeader();
}
