/**
 * The errors of the DCS client: one tagged error per documented status code, one for any other
 * status, and one each for transport faults, undecodable answers, rejected input and paging that
 * makes no progress.
 *
 * Every error that comes from a response carries the response's `X-Request-Id`, which Huawei
 * support asks for.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

const statusFields = {
  /** The HTTP status code. */
  status: Schema.Number,
  /** The service's `error_code`, e.g. `DCS.4230`; empty when the body carried none. */
  errorCode: Schema.String,
  /** The service's `error_msg`, or the body's text when it was not the documented JSON. */
  errorMsg: Schema.String,
  /** The service's `error_ext_msg` (unused by the service today). */
  errorExtMsg: Schema.optional(Schema.String),
  /** The `X-Request-Id` response header. */
  requestId: Schema.optional(Schema.String),
  /** The `Retry-After` response header, in milliseconds, when the server sent one. */
  retryAfterMillis: Schema.optional(Schema.Number),
  /** In a stream: the offset of the page that failed; pass it as `startOffset` to resume. */
  offset: Schema.optional(Schema.Number)
}

const describeStatus = (self: {
  readonly status: number
  readonly errorCode: string
  readonly errorMsg: string
  readonly requestId?: string | undefined
  readonly offset?: number | undefined
}): string => {
  const what = self.errorCode === "" ? self.errorMsg : `${self.errorCode}: ${self.errorMsg}`
  return `${what} (HTTP ${self.status}${requestIdAndOffset(self)})`
}

const requestIdAndOffset = (self: {
  readonly requestId?: string | undefined
  readonly offset?: number | undefined
}): string =>
  (self.requestId === undefined ? "" : `, request id ${self.requestId}`) +
  (self.offset === undefined ? "" : `, at offset ${self.offset}`)

/**
 * 400: the service rejected the request, e.g. `DCS.4230` "Does not support offline key analysis."
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsBadRequest extends Schema.TaggedError<DcsBadRequest>()("DcsBadRequest", statusFields) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describeStatus(this)
  }
}

/**
 * 401: authentication failed, e.g. `APIGW.0301` for a bad signature, an expired date or an
 * unknown AK. The gateway's message echoes the canonical request it computed.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsUnauthorized extends Schema.TaggedError<DcsUnauthorized>()("DcsUnauthorized", statusFields) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describeStatus(this)
  }
}

/**
 * 403: the credentials may not do this (IAM policy, project).
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsForbidden extends Schema.TaggedError<DcsForbidden>()("DcsForbidden", statusFields) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describeStatus(this)
  }
}

/**
 * 404: the instance (or task) does not exist.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsNotFound extends Schema.TaggedError<DcsNotFound>()("DcsNotFound", statusFields) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describeStatus(this)
  }
}

/**
 * 500: the service failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsInternalServerError
  extends Schema.TaggedError<DcsInternalServerError>()("DcsInternalServerError", statusFields)
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describeStatus(this)
  }
}

/**
 * Any other non-2xx status (408, 429, 502, 503, 504, …), with a bounded excerpt of the body.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsUnexpectedStatus extends Schema.TaggedError<DcsUnexpectedStatus>()("DcsUnexpectedStatus", {
  ...statusFields,
  /** The start of the response body (bounded, secrets redacted). */
  body: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describeStatus(this)
  }
}

/**
 * `DCS.4231`: an offline key analysis is already waiting or running on that node. Creating
 * another fails at once; the running one may take many minutes, so the caller decides whether
 * to wait for it (`waitForOfflineKeyAnalysisTask`) or try later.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsAnalysisAlreadyRunning
  extends Schema.TaggedError<DcsAnalysisAlreadyRunning>()("DcsAnalysisAlreadyRunning", statusFields)
{
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describeStatus(this)
  }
}

/**
 * `DCS.4232`: the task does not exist, or was deleted.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsTaskNotFound extends Schema.TaggedError<DcsTaskNotFound>()("DcsTaskNotFound", statusFields) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return describeStatus(this)
  }
}

/**
 * No usable response: the connection was refused or reset, the request timed out, or the body
 * could not be read.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsTransportError extends Schema.TaggedError<DcsTransportError>()("DcsTransportError", {
  /**
   * What went wrong, in one word. `Credentials`: the signer had no usable credentials, so nothing
   * was sent (not retried).
   */
  reason: Schema.Literal("Timeout", "Connection", "Body", "Credentials"),
  /** The request's method and URL (no query secrets: the API has none). */
  method: Schema.String,
  url: Schema.String,
  /** A readable description of the underlying fault. */
  description: Schema.String,
  /** The `X-Request-Id`, when a response had started to arrive. */
  requestId: Schema.optional(Schema.String),
  /** In a stream: the offset of the page that failed; pass it as `startOffset` to resume. */
  offset: Schema.optional(Schema.Number)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const context = requestIdAndOffset(this)
    return `${this.reason} error on ${this.method} ${this.url}: ${this.description}${
      context === "" ? "" : ` (${context.slice(2)})`
    }`
  }
}

/**
 * A 2xx response whose body is not the documented JSON.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsDecodeError extends Schema.TaggedError<DcsDecodeError>()("DcsDecodeError", {
  status: Schema.Number,
  /** Why the body was rejected, readable (a Schema parse report, bounded). */
  reason: Schema.String,
  /** The start of the response body (bounded, secrets redacted). */
  body: Schema.String,
  requestId: Schema.optional(Schema.String),
  /** In a stream: the offset of the page that failed; pass it as `startOffset` to resume. */
  offset: Schema.optional(Schema.Number)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Unexpected response body (HTTP ${this.status}${requestIdAndOffset(this)}): ${this.reason}`
  }
}

/**
 * The input was rejected before anything was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsInvalidRequest extends Schema.TaggedError<DcsInvalidRequest>()("DcsInvalidRequest", {
  /** The name of the rejected field, e.g. `limit`. */
  field: Schema.String,
  /** Why it was rejected. */
  reason: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Invalid ${this.field}: ${this.reason}`
  }
}

/**
 * The server's paging made no progress: a page held only records already emitted (for example a
 * server that ignores `offset`). The stream stops instead of looping.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsPaginationError extends Schema.TaggedError<DcsPaginationError>()("DcsPaginationError", {
  /** The offset of the page that made no progress. */
  offset: Schema.Number,
  /** The server's `total` in that page. */
  total: Schema.Number,
  reason: Schema.String,
  requestId: Schema.optional(Schema.String)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Paging stopped at offset ${this.offset} of ${this.total}: ${this.reason}${
      this.requestId === undefined ? "" : ` (request id ${this.requestId})`
    }`
  }
}

/**
 * The analysis a waiter waited for ended in `failed`.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsAnalysisFailed extends Schema.TaggedError<DcsAnalysisFailed>()("DcsAnalysisFailed", {
  instanceId: Schema.String,
  taskId: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `The offline key analysis ${this.taskId} of instance ${this.instanceId} failed`
  }
}

/**
 * A waiter gave up: the task had not finished within the time allowed.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsWaitTimeout extends Schema.TaggedError<DcsWaitTimeout>()("DcsWaitTimeout", {
  instanceId: Schema.String,
  taskId: Schema.String,
  /** How long the waiter waited, in milliseconds. */
  waitedMillis: Schema.Number,
  /** The last status the list showed; absent when the task was never listed. */
  lastStatus: Schema.optional(Schema.String)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `The offline key analysis ${this.taskId} of instance ${this.instanceId} did not finish within ${this.waitedMillis} ms (${
      this.lastStatus === undefined ? "never listed" : `last status: ${this.lastStatus}`
    })`
  }
}

/**
 * Every error the DCS client can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type DcsError =
  | DcsAnalysisAlreadyRunning
  | DcsTaskNotFound
  | DcsBadRequest
  | DcsUnauthorized
  | DcsForbidden
  | DcsNotFound
  | DcsInternalServerError
  | DcsUnexpectedStatus
  | DcsTransportError
  | DcsDecodeError
  | DcsInvalidRequest
  | DcsPaginationError

/**
 * The schema of `DcsError`, e.g. to send errors over the wire or log them as JSON.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DcsError: Schema.Union<[
  typeof DcsAnalysisAlreadyRunning,
  typeof DcsTaskNotFound,
  typeof DcsBadRequest,
  typeof DcsUnauthorized,
  typeof DcsForbidden,
  typeof DcsNotFound,
  typeof DcsInternalServerError,
  typeof DcsUnexpectedStatus,
  typeof DcsTransportError,
  typeof DcsDecodeError,
  typeof DcsInvalidRequest,
  typeof DcsPaginationError
]> = Schema.Union(
  DcsAnalysisAlreadyRunning,
  DcsTaskNotFound,
  DcsBadRequest,
  DcsUnauthorized,
  DcsForbidden,
  DcsNotFound,
  DcsInternalServerError,
  DcsUnexpectedStatus,
  DcsTransportError,
  DcsDecodeError,
  DcsInvalidRequest,
  DcsPaginationError
)

/**
 * The errors that answer a response with a non-2xx status.
 *
 * @since 0.1.0
 * @category errors
 */
export type DcsStatusError =
  | DcsAnalysisAlreadyRunning
  | DcsTaskNotFound
  | DcsBadRequest
  | DcsUnauthorized
  | DcsForbidden
  | DcsNotFound
  | DcsInternalServerError
  | DcsUnexpectedStatus

const statusTags: ReadonlySet<string> = new Set([
  "DcsAnalysisAlreadyRunning",
  "DcsTaskNotFound",
  "DcsBadRequest",
  "DcsUnauthorized",
  "DcsForbidden",
  "DcsNotFound",
  "DcsInternalServerError",
  "DcsUnexpectedStatus"
])

/**
 * The error codes that have an error of their own, whatever the status that carried them.
 *
 * @since 0.1.0
 * @category constants
 */
export const errorCodes = {
  analysisAlreadyRunning: "DCS.4231",
  taskNotFound: "DCS.4232",
  notSupported: "DCS.4230",
  authenticationFailed: "APIGW.0301"
} as const

/**
 * Whether an error answers a non-2xx response.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isStatusError = (error: unknown): error is DcsStatusError =>
  Predicate.hasProperty(error, "_tag") && typeof error._tag === "string" && statusTags.has(error._tag)

/**
 * The error with the offset of the stream page that failed, so the caller can resume there.
 * Errors raised before anything is sent, and paging errors (which carry their own), are kept.
 *
 * @since 0.1.0
 * @category utils
 */
export const withOffset = (error: DcsError, offset: number): DcsError => {
  switch (error._tag) {
    case "DcsAnalysisAlreadyRunning":
      return new DcsAnalysisAlreadyRunning({ ...error, offset })
    case "DcsTaskNotFound":
      return new DcsTaskNotFound({ ...error, offset })
    case "DcsBadRequest":
      return new DcsBadRequest({ ...error, offset })
    case "DcsUnauthorized":
      return new DcsUnauthorized({ ...error, offset })
    case "DcsForbidden":
      return new DcsForbidden({ ...error, offset })
    case "DcsNotFound":
      return new DcsNotFound({ ...error, offset })
    case "DcsInternalServerError":
      return new DcsInternalServerError({ ...error, offset })
    case "DcsUnexpectedStatus":
      return new DcsUnexpectedStatus({ ...error, offset })
    case "DcsTransportError":
      return new DcsTransportError({ ...error, offset })
    case "DcsDecodeError":
      return new DcsDecodeError({ ...error, offset })
    case "DcsInvalidRequest":
    case "DcsPaginationError":
      return error
  }
}

const transientStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/**
 * Whether retrying the same idempotent request may succeed: transport faults, timeouts and the
 * statuses 408, 429, 500, 502, 503, 504. Never 400, 401, 403 or 404.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransient = (error: DcsError): boolean =>
  // Missing credentials are a setup problem, not a network fault: retrying would only repeat it.
  (error._tag === "DcsTransportError" && error.reason !== "Credentials") ||
  (isStatusError(error) && transientStatuses.has(error.status))
