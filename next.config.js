/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The AWS SDK and ioredis stay as Node requires on the server, not bundled.
  serverExternalPackages: ['ioredis'],
};

export default nextConfig;
