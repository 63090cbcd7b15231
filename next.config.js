/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // server.ts is the server; Next only renders pages behind it.
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
