/**
 * The local OpenAI-compatible server (lib/openai-local) marks its answers with this header, so what
 * it made is shown as simulated, never as real API output.
 */
export const SIMULATED_HEADER = 'x-loupe-simulated';

/** The answer came from the local stand-in server. */
export const isSimulated = (headers: Headers) => headers.get(SIMULATED_HEADER) === '1';
