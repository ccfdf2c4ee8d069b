/**
 * Loupe's one domain error: a request the data does not allow. Its code says what kind of
 * refusal it is; route handlers answer the code's HTTP status with the message, and the CLI
 * prints the message. (Validation is zod's; storage failures are db/errors.ts.)
 */
export const ERROR_STATUS = {
  /** The request is malformed or names something that does not belong (400). */
  invalid: 400,
  /** What it names does not exist (404). */
  not_found: 404,
  /** The data's state does not allow it now: taken, already decided, held by another (409). */
  conflict: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class LoupeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LoupeError';
  }

  get status(): (typeof ERROR_STATUS)[ErrorCode] {
    return ERROR_STATUS[this.code];
  }
}
