import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Providers } from '@/components/providers';
import './globals.css';

export const metadata: Metadata = {
  title: 'Pilothouse',
  description: 'ECS services, ALB health, queues and deploys for every environment.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <div className="mx-auto flex max-w-screen-2xl items-baseline gap-3 px-4 py-4 sm:px-6">
            <span className="text-lg font-semibold tracking-tight">Pilothouse</span>
            <span className="text-sm text-slate-500 dark:text-slate-400">control plane</span>
          </div>
        </header>
        <main className="mx-auto max-w-screen-2xl px-4 py-6 sm:px-6">
          <Providers>{children}</Providers>
        </main>
      </body>
    </html>
  );
}
