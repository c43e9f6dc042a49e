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
  /** The instance the request was about, so a 404 says which id was asked for. */
  instanceId: Schema.optional(Schema.String),
  /** The task the request was about, if any. */
  taskId: Schema.optional(Schema.String),
  /** In a stream: the offset of the page that failed; pass it as `startOffset` to resume. */
  offset: Schema.optional(Schema.Number)
}

const requestIdAndOffset = (self: {
  readonly requestId?: string | undefined
  readonly offset?: number | undefined
}): string =>
  (self.requestId === undefined ? "" : `, request id ${self.requestId}`) +
  (self.offset === undefined ? "" : `, at offset ${self.offset}`)

// The one message of every status error: what the service said, then where and which request.
const describeStatus = (self: {
  readonly status: number
  readonly errorCode: string
  readonly errorMsg: string
  readonly instanceId?: string | undefined
  readonly taskId?: string | undefined
  readonly requestId?: string | undefined
  readonly offset?: number | undefined
  readonly runningTaskId?: string | undefined
}): string => {
  const what = self.errorCode === "" ? self.errorMsg : `${self.errorCode}: ${self.errorMsg}`
  const about = (self.instanceId === undefined ? "" : `, instance ${JSON.stringify(self.instanceId)}`) +
    (self.taskId === undefined ? "" : `, task ${JSON.stringify(self.taskId)}`) +
    (self.runningTaskId === undefined ? "" : `, running task ${JSON.stringify(self.runningTaskId)}`)
  return `${what} (HTTP ${self.status}${about}${requestIdAndOffset(self)})`
}

/**
 * 400: the service rejected the request.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsBadRequest extends Schema.TaggedError<DcsBadRequest>()("DcsBadRequest", statusFields) {}

/**
 * 401: authentication failed, e.g. `APIGW.0301` for a bad signature, an expired date or an
 * unknown AK. The gateway's message echoes the canonical request it computed.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsUnauthorized extends Schema.TaggedError<DcsUnauthorized>()("DcsUnauthorized", statusFields) {}

/**
 * 403: the credentials may not do this (IAM policy, project).
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsForbidden extends Schema.TaggedError<DcsForbidden>()("DcsForbidden", statusFields) {}

/**
 * 404: the instance (or task) does not exist; `instanceId` (and `taskId`) say which was asked for.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsNotFound extends Schema.TaggedError<DcsNotFound>()("DcsNotFound", statusFields) {}

/**
 * 429: the gateway throttled the request (`APIGW.0308` "The throttling threshold has been
 * reached"), usually with `Retry-After`. Nothing was done, so every call retries it by default
 * (create included); this error is what is left when retries are off or run out.
 *
 * @since 0.2.0
 * @category errors
 */
export class DcsTooManyRequests extends Schema.TaggedError<DcsTooManyRequests>()("DcsTooManyRequests", statusFields) {}

/**
 * 500: the service failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsInternalServerError
  extends Schema.TaggedError<DcsInternalServerError>()("DcsInternalServerError", statusFields)
{}

/**
 * `DCS.4231`: an offline key analysis is already waiting or running on that node. Creating
 * another fails at once; the running one may take many minutes, so the caller decides whether
 * to wait for it (`waitForOfflineKeyAnalysisTask`) or try later.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsAnalysisAlreadyRunning
  extends Schema.TaggedError<DcsAnalysisAlreadyRunning>()("DcsAnalysisAlreadyRunning", {
    ...statusFields,
    /**
     * The id of the task waiting or running on that node, when the client could find it (the
     * service does not say): wait for it with `waitForOfflineKeyAnalysisTask`.
     *
     * @since 0.2.0
     */
    runningTaskId: Schema.optional(Schema.String)
  })
{}

/**
 * `DCS.4232`: the task does not exist, or was deleted.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsTaskNotFound extends Schema.TaggedError<DcsTaskNotFound>()("DcsTaskNotFound", statusFields) {}

/**
 * `DCS.4230`: the instance does not support offline key analysis (Redis 3.0, Memcached, some
 * specifications), whatever the status that carried it. Retrying cannot help.
 *
 * @since 0.2.0
 * @category errors
 */
export class DcsNotSupported extends Schema.TaggedError<DcsNotSupported>()("DcsNotSupported", statusFields) {}

/**
 * Any other non-2xx status (408, 502, 503, 504, …), with a bounded excerpt of the body.
 *
 * @since 0.1.0
 * @category errors
 */
export class DcsUnexpectedStatus extends Schema.TaggedError<DcsUnexpectedStatus>()("DcsUnexpectedStatus", {
  ...statusFields,
  /** The start of the response body (bounded, secrets redacted). */
  body: Schema.String
}) {}

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
  authenticationFailed: "APIGW.0301",
  throttled: "APIGW.0308"
} as const

/**
 * The status errors and what selects each: an error code (checked first, whatever the status),
 * else a status. Everything else about them (the union, its schema, the predicate, the offset
 * copy, the mapping of a response to its error) is derived from this list; a response matched
 * by none is a `DcsUnexpectedStatus`.
 *
 * @since 0.2.0
 * @category errors
 */
export const statusErrors = [
  { error: DcsAnalysisAlreadyRunning, errorCode: errorCodes.analysisAlreadyRunning },
  { error: DcsTaskNotFound, errorCode: errorCodes.taskNotFound },
  { error: DcsNotSupported, errorCode: errorCodes.notSupported },
  { error: DcsBadRequest, status: 400 },
  { error: DcsUnauthorized, status: 401 },
  { error: DcsForbidden, status: 403 },
  { error: DcsNotFound, status: 404 },
  { error: DcsTooManyRequests, status: 429 },
  { error: DcsInternalServerError, status: 500 }
] as const

type StatusErrorClass = (typeof statusErrors)[number]["error"]

// One message for every status error (and DcsUnexpectedStatus): what the service said, about
// which ids, and which request.
for (const error of [...statusErrors.map((entry) => entry.error), DcsUnexpectedStatus]) {
  Object.defineProperty(error.prototype, "message", {
    get(this: Parameters<typeof describeStatus>[0]) {
      return describeStatus(this)
    },
    configurable: true,
    enumerable: false
  })
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
 * An instance has no node an analysis can target: no active master or replica in a shard (or
 * none of the kind asked for), e.g. a Proxy Cluster listing only proxies, or an instance still
 * being created. Nothing was created.
 *
 * @since 0.2.0
 * @category errors
 */
export class DcsNoAnalyzableNode extends Schema.TaggedError<DcsNoAnalyzableNode>()("DcsNoAnalyzableNode", {
  instanceId: Schema.String,
  /** Which shard lacks a node, and of which kind. */
  reason: Schema.String
}) {
  /**
   * @since 0.2.0
   */
  override get message(): string {
    return `Instance ${this.instanceId} has no node to analyse: ${this.reason}`
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
 * There is no successful analysis to answer: `latestSuccessfulAnalysis` found none (of that node,
 * when one was asked for), or `previousSuccessfulAnalysis` found fewer than two. `found` says how
 * many there are.
 *
 * @since 0.2.0
 * @category errors
 */
export class DcsNoSuccessfulAnalysis extends Schema.TaggedError<DcsNoSuccessfulAnalysis>()("DcsNoSuccessfulAnalysis", {
  instanceId: Schema.String,
  /** The node asked for; absent when any node would do. */
  nodeId: Schema.optional(Schema.String),
  /** Which analysis was asked for. */
  wanted: Schema.Literal("latest", "previous"),
  /** How many successful analyses (of that node) the instance has: fewer than `wanted` needs. */
  found: Schema.Number
}) {
  /**
   * @since 0.2.0
   */
  override get message(): string {
    const of = `instance ${this.instanceId}${this.nodeId === undefined ? "" : `, node ${this.nodeId}`}`
    return this.wanted === "latest"
      ? `No successful offline key analysis of ${of}`
      : `No previous successful offline key analysis of ${of}: ${this.found === 0 ? "none" : "only one"} succeeded`
  }
}

const statusErrorClasses = statusErrors.map((entry) => entry.error) as unknown as StatusErrorClasses
type ErrorsOf<T extends ReadonlyArray<{ readonly error: unknown }>> = {
  -readonly [K in keyof T]: T[K] extends { readonly error: infer E } ? E : never
}
type StatusErrorClasses = ErrorsOf<typeof statusErrors>

/**
 * The errors that answer a response with a non-2xx status.
 *
 * @since 0.1.0
 * @category errors
 */
export type DcsStatusError = InstanceType<StatusErrorClass> | DcsUnexpectedStatus

/**
 * Every error the DCS client can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type DcsError =
  | DcsStatusError
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
  ...StatusErrorClasses,
  typeof DcsUnexpectedStatus,
  typeof DcsTransportError,
  typeof DcsDecodeError,
  typeof DcsInvalidRequest,
  typeof DcsPaginationError
]> = Schema.Union(
  ...statusErrorClasses,
  DcsUnexpectedStatus,
  DcsTransportError,
  DcsDecodeError,
  DcsInvalidRequest,
  DcsPaginationError
)

const statusTags: ReadonlySet<string> = new Set([
  ...statusErrors.map((entry) => entry.error._tag),
  DcsUnexpectedStatus._tag
])

/**
 * Whether an error answers a non-2xx response.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isStatusError = (error: unknown): error is DcsStatusError =>
  Predicate.hasProperty(error, "_tag") && typeof error._tag === "string" && statusTags.has(error._tag)

/**
 * The error a non-2xx response answers: the first entry of `statusErrors` whose error code
 * matches, else whose status matches, else `DcsUnexpectedStatus` (which keeps the body).
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromResponse = (fields: {
  readonly status: number
  readonly errorCode: string
  readonly errorMsg: string
  readonly errorExtMsg?: string | undefined
  readonly requestId?: string | undefined
  readonly retryAfterMillis?: number | undefined
  readonly instanceId?: string | undefined
  readonly taskId?: string | undefined
  readonly body: string
}): DcsStatusError => {
  const { body, ...common } = fields
  const entry =
    statusErrors.find((candidate) => "errorCode" in candidate && candidate.errorCode === fields.errorCode) ??
      statusErrors.find((candidate) => "status" in candidate && candidate.status === fields.status)
  return entry === undefined ? new DcsUnexpectedStatus({ ...common, body }) : new entry.error(common)
}

// The errors that carry the offset of a stream page, by tag.
const offsetCarriers: ReadonlyMap<string, new(fields: any) => DcsError> = new Map<string, new(fields: any) => DcsError>(
  [...statusErrorClasses, DcsUnexpectedStatus, DcsTransportError, DcsDecodeError].map((error) => [error._tag, error])
)

/**
 * The error with the offset of the stream page that failed, so the caller can resume there.
 * Errors raised before anything is sent, and paging errors (which carry their own), are kept.
 *
 * @since 0.1.0
 * @category utils
 */
export const withOffset = (error: DcsError, offset: number): DcsError => {
  const Carrier = offsetCarriers.get(error._tag)
  return Carrier === undefined ? error : new Carrier({ ...error, offset })
}

/**
 * Copies a status error with the ids the request was about (so a 404 says which id was asked
 * for); any other error is kept as it is.
 *
 * @since 0.2.0
 * @category utils
 */
export const withIds = (
  error: DcsError,
  ids: { readonly instanceId?: string | undefined; readonly taskId?: string | undefined }
): DcsError => {
  if (!isStatusError(error) || (error.instanceId !== undefined && error.taskId !== undefined)) return error
  const Carrier = offsetCarriers.get(error._tag)!
  return new Carrier({ ...error, instanceId: error.instanceId ?? ids.instanceId, taskId: error.taskId ?? ids.taskId })
}

const transientStatuses: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/**
 * Whether retrying the same idempotent request may succeed: transport faults, timeouts and the
 * statuses 408, 429, 500, 502, 503, 504. Never 400, 401, 403 or 404, nor an error the service
 * named by its error code (`DCS.4230`, `DCS.4231`, `DCS.4232`) whatever its status.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTransient = (error: DcsError): boolean =>
  // Missing credentials are a setup problem, not a network fault: retrying would only repeat it.
  (error._tag === "DcsTransportError" && error.reason !== "Credentials") ||
  (isStatusError(error) && transientStatuses.has(error.status) && !hasOwnErrorCode.has(error._tag))

// An error selected by its error code is the service's definite answer, whatever its status.
const hasOwnErrorCode: ReadonlySet<string> = new Set(
  statusErrors.flatMap((entry) => "errorCode" in entry ? [entry.error._tag] : [])
)

/**
 * The mark of a credentials failure: a signer that had no usable credentials fails the request
 * before sending it with an error carrying this symbol (`@effect-dcs/node`'s `CredentialsError`
 * does). The client reports it as a `DcsTransportError` with reason `"Credentials"`, not retried.
 *
 * @since 0.2.0
 * @category credentials
 */
export const CredentialsFailureTypeId: unique symbol = Symbol.for("@effect-dcs/core/CredentialsFailure")

/**
 * @since 0.2.0
 * @category credentials
 */
export type CredentialsFailureTypeId = typeof CredentialsFailureTypeId

/**
 * A failure to find usable credentials, whoever raised it.
 *
 * @since 0.2.0
 * @category credentials
 */
export interface CredentialsFailure {
  readonly [CredentialsFailureTypeId]: CredentialsFailureTypeId
  readonly message: string
}

/**
 * Whether a value is a credentials failure (carries `CredentialsFailureTypeId`).
 *
 * @since 0.2.0
 * @category credentials
 */
export const isCredentialsFailure = (u: unknown): u is CredentialsFailure =>
  Predicate.hasProperty(u, CredentialsFailureTypeId)
