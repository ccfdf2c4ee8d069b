/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native modules stay outside the bundle; they are loaded from node_modules at run time.
  serverExternalPackages: ['better-sqlite3', 'sharp'],
  poweredByHeader: false,
};

export default nextConfig;
