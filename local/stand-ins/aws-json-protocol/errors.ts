/**
 * Errors a local AWS JSON-protocol endpoint answers with. A handler throws an AwsServiceError;
 * the server turns it into the body and status AWS would send, so the real SDK parses it into
 * its own exception class (matched on `__type`, members such as `Reason` copied across).
 */

/** Error names every AWS JSON-protocol service shares. */
export const CommonErrorName = {
  UNKNOWN_OPERATION: 'UnknownOperationException',
  SERIALIZATION: 'SerializationException',
  INTERNAL_FAILURE: 'InternalFailure',
  REQUEST_TOO_LARGE: 'RequestTooLargeException',
} as const;
export type CommonErrorName = (typeof CommonErrorName)[keyof typeof CommonErrorName];

/** The JSON body of an AWS JSON-protocol error. */
export interface AwsErrorBody {
  readonly __type: string;
  readonly Message: string;
  readonly [member: string]: unknown;
}

/** Options of an AwsServiceError beyond its name and message. */
export interface AwsServiceErrorOptions {
  /**
   * HTTP status of the answer.
   * @default 400
   */
  readonly statusCode?: number;
  /** Extra members of the error shape, e.g. `{ Reason: 'MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED' }`. */
  readonly members?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** An error a local endpoint answers with, named as the AWS service names it. */
export class AwsServiceError extends Error {
  /** HTTP status of the answer. */
  readonly statusCode: number;
  /** Extra members of the error shape. */
  readonly members: Readonly<Record<string, unknown>>;

  constructor(name: string, message: string, options: AwsServiceErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = name;
    this.statusCode = options.statusCode ?? 400;
    this.members = options.members ?? {};
  }

  /** The error's type as it appears on the wire (`__type`). */
  get __type(): string {
    return this.name;
  }

  /** The JSON body AWS sends for this error. */
  toBody(): AwsErrorBody {
    return { ...this.members, __type: this.name, Message: this.message };
  }
}

/** The request named an operation the endpoint does not serve (or no operation at all). */
export class UnknownOperationError extends AwsServiceError {
  constructor(target: string | undefined) {
    super(
      CommonErrorName.UNKNOWN_OPERATION,
      target ? `Operation ${target} is not supported by this endpoint` : 'Missing X-Amz-Target header',
    );
  }
}

/** The request body is not a JSON object. */
export class SerializationError extends AwsServiceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(CommonErrorName.SERIALIZATION, message, { cause: options?.cause });
  }
}

/** The request body is over the endpoint's limit; named and answered (413) as Lambda's Invoke answers one. */
export class RequestTooLargeError extends AwsServiceError {
  constructor(message: string) {
    super(CommonErrorName.REQUEST_TOO_LARGE, message, { statusCode: 413 });
  }
}

/** A handler failed in a way it did not mean to; answered as AWS's generic 500. */
export class InternalFailureError extends AwsServiceError {
  constructor(cause: unknown) {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(CommonErrorName.INTERNAL_FAILURE, `The request processing has failed: ${detail}`, { statusCode: 500, cause });
  }
}
