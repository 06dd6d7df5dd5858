import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { CommandPaletteMount } from '@/app/_shell/command-palette-mount';
import { Providers } from '@/components/providers';
import { SignedInAs } from '@/app/_shell/signed-in-as';
import { parseTheme, THEME_COOKIE } from '@/components/theme';
import { ThemeToggle } from '@/components/theme-toggle';
import './globals.css';
import { MUTED, TextLink } from '@/components/ui';

export const metadata: Metadata = {
  title: 'Pilothouse',
  description: 'ECS services, ALB health, queues and deploys for every environment.',
  // A static file, not app/icon.svg: that one becomes a function of its own on Vercel.
  icons: { icon: '/favicon.svg' },
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" className={theme === 'system' ? undefined : theme}>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <div className="mx-auto flex max-w-screen-2xl items-center gap-3 px-4 py-3 sm:px-6">
            <Link
              href="/"
              className="text-lg font-semibold tracking-tight focus-visible:outline-2 focus-visible:outline-sky-600"
            >
              Pilothouse
            </Link>
            <span className={`hidden text-sm sm:inline ${MUTED}`}>control plane</span>
            <TextLink href="/audit" className="text-sm">
              Audit
            </TextLink>
            <div className="ml-auto flex min-w-0 items-center gap-4">
              <CommandPaletteMount />
              <SignedInAs />
              <ThemeToggle initial={theme} />
            </div>
          </div>
        </header>
        <main className="mx-auto max-w-screen-2xl px-4 py-6 sm:px-6">
          <Providers>{children}</Providers>
        </main>
      </body>
    </html>
  );
}
