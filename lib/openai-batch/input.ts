import fs from 'node:fs/promises';

/**
 * The Batch API's input file (https://platform.openai.com/docs/api-reference/batch/request-input): one
 * request a line, `{"custom_id", "method": "POST", "url", "body"}`, the body what the endpoint takes
 * synchronously. Limits per file, from BatchCreateParams.input_file_id in the openai SDK 6.49.0
 * (resources/batches.d.ts): "The file can contain up to 50,000 requests, and can be up to 200 MB in size."
 */
export const INPUT_LIMITS = { requests: 50_000, bytes: 200 * 1024 * 1024 };

export type InputLimits = typeof INPUT_LIMITS;

/**
 * Endpoints Loupe sends through the Batch API. The SDK's BatchCreateParams.endpoint (openai 6.49.0)
 * lists `/v1/chat/completions`, `/v1/images/generations` and `/v1/images/edits` among the batchable
 * ones (OpenAI, Dec 2025: "Batch API now supports GPT Image models … generations or edits").
 */
export type BatchEndpoint = '/v1/chat/completions' | '/v1/images/edits';

/** One job's line is named after it, so an output line finds its job without any other state. */
export const customIdOf = (jobId: number) => `job-${jobId}`;

/** The job of a custom_id Loupe wrote; undefined for any other. */
export function jobIdOf(customId: string): number | undefined {
  const match = /^job-([1-9]\d{0,15})$/.exec(customId);
  return match ? Number(match[1]) : undefined;
}

/** One request line of an input file, newline included. */
export function requestLine(jobId: number, endpoint: BatchEndpoint, body: object): string {
  return JSON.stringify({ custom_id: customIdOf(jobId), method: 'POST', url: endpoint, body }) + '\n';
}

/**
 * One input file being written to disk (a 200 MB file is not built in memory). `add` refuses the
 * line that would take the file past either limit: that request belongs in the next file.
 */
export class InputFile {
  requests = 0;
  bytes = 0;
  private constructor(
    readonly path: string,
    private readonly handle: fs.FileHandle,
    private readonly limits: InputLimits,
  ) {}

  static async create(path: string, limits: InputLimits = INPUT_LIMITS): Promise<InputFile> {
    return new InputFile(path, await fs.open(path, 'w'), limits);
  }

  /** Appends the line if it fits; false (nothing written) when it does not. A line alone over the byte limit never fits. */
  async add(line: string): Promise<boolean> {
    const size = Buffer.byteLength(line);
    if (this.requests + 1 > this.limits.requests || this.bytes + size > this.limits.bytes) return false;
    await this.handle.write(line);
    this.requests++;
    this.bytes += size;
    return true;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
