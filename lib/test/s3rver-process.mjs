// An s3rver (S3-compatible server) in its own process, for tests and benchmarks: serves the folder
// argv[2] on 127.0.0.1 at a free port with the bucket argv[3], and prints {"port": N} once listening.
import S3rver from 's3rver';

const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', () => server.close().finally(() => process.exit(0)));
