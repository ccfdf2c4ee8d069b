/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native modules stay outside the bundle; they are loaded from node_modules at run time.
  serverExternalPackages: ['better-sqlite3', 'sharp'],
  poweredByHeader: false,
  // forbidden() renders app/forbidden.tsx with a 403 for pages a role may not open.
  experimental: { authInterrupts: true },
};

export default nextConfig;
