import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

/**
 * A real S3-compatible server for tests and benchmarks: s3rver in a child process on
 * 127.0.0.1, on a free port, storing in a temporary folder, with one bucket made. `env` holds
 * the AWS SDK's variables that reach it (s3rver's built-in S3RVER/S3RVER key), to put into
 * process.env or a server's environment.
 */
export interface S3Server {
  endpoint: string;
  bucket: string;
  /** The folder s3rver keeps its objects in. */
  directory: string;
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3Server(bucket = 'loupe-test'): Promise<S3Server> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'loupe-s3rver-'));
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 's3rver-process.mjs'), directory, bucket], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await firstLine(child);
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    directory,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The port the child prints once it listens, or its failure. */
function firstLine(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      lines.close();
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before it listened`)));
  });
}

/** Sets the server's variables in process.env for the length of a test file; answers a function that puts back what was there. */
export function useS3Env(server: S3Server, extra: Record<string, string> = {}): () => void {
  const vars = { ...server.env, ...extra };
  const before = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [name, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
