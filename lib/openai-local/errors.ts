/**
 * Errors in the OpenAI API's wire shape: `{"error": {message, type, param, code}}` with an
 * HTTP status. Messages copy the real API's wording so clients meet the same text here.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export function invalidRequest(message: string, param: string | null = null, code: string | null = null, status = 400) {
  return new ApiError(status, message, 'invalid_request_error', param, code);
}

/** "'a', 'b', and 'c'" or "'a' and 'b'", as the API lists supported values. */
export function quoteList(values: readonly string[]): string {
  const quoted = values.map((v) => `'${v}'`);
  if (quoted.length <= 2) return quoted.join(' and ');
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
}

export function invalidValue(param: string, value: unknown, supported: readonly string[]) {
  return invalidRequest(`Invalid value: '${String(value)}'. Supported values are: ${quoteList(supported)}.`, param, 'invalid_value');
}

export function unknownParameter(param: string) {
  return invalidRequest(`Unknown parameter: '${param}'.`, param, 'unknown_parameter');
}

export function missingParameter(param: string) {
  return invalidRequest(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
}

export function invalidType(param: string, expected: string, value: unknown) {
  const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
  return invalidRequest(`Invalid type for '${param}': expected ${expected}, but got ${got} instead.`, param, 'invalid_type');
}
