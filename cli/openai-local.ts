import { parseArgs } from 'node:util';
import { startLocalOpenAI } from '../lib/openai-local/server';

const USAGE = `Usage: tsx cli/openai-local.ts [--port 8787] [--host 127.0.0.1] [--latency-ms 0]

Serves a local OpenAI-compatible API (images edits and generations, chat completions) for
tests and the demo. Point the SDK at it with OPENAI_BASE_URL=<printed url> and any OPENAI_API_KEY.
Faults: POST /__control/faults {"queue": [...], "rate": {"rate", "fault"}, "latencyMs"};
request log: GET /__control/requests.`;

function nonNegativeInt(name: string, value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new Error(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}`);
  return number;
}

async function main() {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      'latency-ms': { type: 'string', default: '0' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const server = await startLocalOpenAI({
    port: nonNegativeInt('port', values.port),
    host: values.host,
    latencyMs: nonNegativeInt('latency-ms', values['latency-ms']),
  });
  process.stdout.write(`Local OpenAI-compatible server: ${server.url}\n`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void server.close().then(() => process.exit(0));
    });
  }
}

main().catch((error) => {
  process.stderr.write(`openai-local: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
  process.exit(2);
});
