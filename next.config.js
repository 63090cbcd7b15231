/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Next typechecks only what it builds; `npm run typecheck` covers the server, tests and scripts.
  typescript: { tsconfigPath: "tsconfig.next.json" },
};

export default nextConfig;
