/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The AWS SDK and ioredis stay as Node requires on the server, not bundled.
  serverExternalPackages: ['ioredis'],
  // forbidden() answers 403 with app/forbidden.tsx (a page someone may not see).
  experimental: { authInterrupts: true },
};

export default nextConfig;
