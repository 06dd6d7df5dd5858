/** The colour theme an operator chose: kept in a cookie, so the server renders it too. */
export const THEME_COOKIE = 'pilothouse-theme';
export type Theme = 'system' | 'light' | 'dark';
export const THEMES: Theme[] = ['system', 'light', 'dark'];

export function parseTheme(value: string | undefined): Theme {
  return value === 'light' || value === 'dark' ? value : 'system';
}
