import { parseArgs } from 'node:util';
import { BATCH_FILE_MAX_BYTES } from '../lib/openai-local/files';
import { startLocalOpenAI } from '../lib/openai-local/server';

const USAGE = `Usage: tsx cli/openai-local.ts [--port 8787] [--host 127.0.0.1] [--latency-ms 0]
         [--batch-delay-ms 200] [--batch-concurrency 8] [--max-file-bytes 209715200]

Serves a local OpenAI-compatible API (images edits and generations, chat completions, files and
batches) for tests and the demo. Point the SDK at it with OPENAI_BASE_URL=<printed url> and any
OPENAI_API_KEY. Answers are simulated (header x-loupe-simulated: 1).

  --latency-ms         delay before every /v1 answer
  --batch-delay-ms     how long a batch stays in_progress at least before it completes
  --batch-concurrency  requests of one batch run at the same time
  --max-file-bytes     largest upload to POST /v1/files (the Batch API's 200 MB by default)

Batches run /v1/chat/completions, /v1/images/generations and /v1/images/edits (a JSON body with
"images": [{"image_url": "data:image/png;base64,..."}]); see lib/openai-local/batches.ts.
Faults: POST /__control/faults {"queue": [...], "rate": {"rate", "fault"}, "latencyMs",
  "batch": {"failCustomIds": [...], "failFault": {"status"}, "next": [{"expireAfter"} | {"cancelAfter"}],
            "pollErrors": N, "delayMs"}};
  a batch line whose custom_id contains __batch_fail__ always fails.
Request log: GET /__control/requests.`;

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
      'batch-delay-ms': { type: 'string', default: '200' },
      'batch-concurrency': { type: 'string', default: '8' },
      'max-file-bytes': { type: 'string', default: String(BATCH_FILE_MAX_BYTES) },
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
    batchDelayMs: nonNegativeInt('batch-delay-ms', values['batch-delay-ms']),
    batchConcurrency: Math.max(1, nonNegativeInt('batch-concurrency', values['batch-concurrency'])),
    maxFileBytes: nonNegativeInt('max-file-bytes', values['max-file-bytes']),
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
