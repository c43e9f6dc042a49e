/**
 * The live backend: the resource's calls over a transport, with the layer's timeout and retries.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type { CallOptions, Options } from "../DcsClient.js"
import { type DcsError, DcsInvalidRequest, isTransient, withIds } from "../DcsError.js"
import { ListInstanceNodesResponse, ListInstancesResponse } from "../DcsInstance.js"
import type * as DcsTransport from "../DcsTransport.js"
import { ListOfflineKeyAnalysisNodesResponse, OfflineKeyAnalysisReport, TaskIdResponse } from "../OfflineKeyAnalysis.js"
import { decodeListResponse } from "./decodeList.js"
import * as defaults from "./defaults.js"
import * as internalHttp from "./http.js"
import * as rateLimit from "./rateLimit.js"
import * as validateRequest from "./request.js"
import type { Backend } from "./service.js"
import * as validate from "./validate.js"

// Create is not idempotent: only a throttled request (429: the gateway refused it, nothing was
// created) is safe to send again.
const isThrottled = (error: DcsError): boolean => error._tag === "DcsTooManyRequests"

/**
 * Turns a user's schedule into the retry policy: retryable errors only (transient ones by
 * default), and never sooner than the server's `Retry-After` (capped).
 */
const retryPolicy = (
  schedule: Schedule.Schedule<unknown, DcsError>,
  retryable: (error: DcsError) => boolean = isTransient
) =>
  schedule.pipe(
    Schedule.intersect(Schedule.identity<DcsError>()),
    Schedule.whileInput(retryable),
    Schedule.modifyDelay(([, error], delay) => {
      const retryAfter = "retryAfterMillis" in error ? error.retryAfterMillis : undefined
      return retryAfter === undefined
        ? delay
        : Duration.max(delay, Duration.min(Duration.millis(retryAfter), defaults.maxRetryAfter))
    })
  )

/**
 * `Effect.retry(policy)`, with the schedule's driver built at the first failure rather than
 * before every call: most calls succeed at once (a stream's pages), and building the driver
 * (its state, its clock reads) was a few percent of a stream. Then the same loop as Effect's:
 * each failure goes to the driver, which sleeps its delay or ends with that failure.
 */
const retrying = <A>(
  attempt: Effect.Effect<A, DcsError>,
  policy: Schedule.Schedule<unknown, DcsError>
): Effect.Effect<A, DcsError> =>
  Effect.catchAll(attempt, (first) =>
    Effect.flatMap(Schedule.driver(policy), (driver) => {
      const next = (error: DcsError): Effect.Effect<A, DcsError> =>
        Effect.matchEffect(driver.next(error), {
          onFailure: () => Effect.fail(error),
          onSuccess: () => Effect.catchAll(attempt, next)
        })
      return next(first)
    }))

const decodeWith = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema)
  return (json: unknown): Either.Either<A, string> =>
    Either.mapLeft(decode(json, { errors: "first" }), (error) => ParseResult.TreeFormatter.formatErrorSync(error))
}

const decodeTaskId = decodeWith(TaskIdResponse)
const decodeReport = decodeWith(OfflineKeyAnalysisReport)
const decodeNodes = decodeWith(ListOfflineKeyAnalysisNodesResponse)
const decodeInstances = decodeWith(ListInstancesResponse)
const decodeInstanceNodes = decodeWith(ListInstanceNodesResponse)

const validRateLimit = (
  value: Options["rateLimit"]
): Either.Either<Effect.Effect<void> | undefined, DcsInvalidRequest> => {
  if (value === undefined) return Either.right(undefined)
  const per = Duration.decodeUnknown(value.per)
  if (!Number.isSafeInteger(value.requests) || value.requests < 1) {
    return Either.left(new DcsInvalidRequest({ field: "rateLimit", reason: "requests must be a positive integer" }))
  }
  if (Option.isNone(per) || !Duration.isFinite(per.value) || !Duration.greaterThan(per.value, Duration.zero)) {
    return Either.left(new DcsInvalidRequest({ field: "rateLimit", reason: "per must be a positive finite duration" }))
  }
  return Either.right(rateLimit.make(value.requests, per.value))
}

/** The backend over `transport`; invalid options make every call fail with why. @internal */
export const make = (transport: DcsTransport.Transport, options: Options): Backend => {
  const settings = Either.all({
    endpoint: validate.endpoint(options.endpoint),
    projectSegment: validate.pathSegment("projectId", options.projectId),
    timeout: validateRequest.timeout(options.timeout),
    // One limiter per layer: every fiber using the layer shares it.
    rateLimit: validRateLimit(options.rateLimit)
  })
  const headers: Record<string, string> = {
    accept: "application/json",
    "user-agent": options.userAgent ?? "effect-dcs"
  }
  const layerRetry = options.retry ?? defaults.retrySchedule
  // Built once: a call without a schedule of its own (every page of a stream) reuses it.
  const layerRetryPolicy = retryPolicy(layerRetry)
  const layerTimeout = Either.isRight(settings) ? settings.right.timeout ?? defaults.timeout : defaults.timeout

  /**
   * Sends one call: to `/v2/{project}/instances{instancesPath}` when `instancesPath` is given,
   * else to the resource, `…/instances/{instanceSegment}/offline/key-analysis{path}`.
   */
  const send = <A>(call: {
    readonly method: "GET" | "POST" | "DELETE"
    /** The ids the call is about: its status errors name them (a 404 says which id was asked for). */
    readonly ids: { readonly instanceId?: string | undefined; readonly taskId?: string | undefined }
    readonly instanceSegment?: string
    readonly path?: string
    readonly instancesPath?: string
    readonly urlParams?: ReadonlyArray<readonly [string, string]>
    readonly body?: unknown
    readonly decode: (json: unknown) => Either.Either<A, string>
    readonly retryable?: (error: DcsError) => boolean
    /** Called before each attempt, retries included. */
    readonly onAttempt?: () => void
    readonly options: CallOptions
  }): Effect.Effect<internalHttp.Answer<A>, DcsError> => {
    if (Either.isLeft(settings)) return Effect.fail(settings.left)
    const callTimeout = validateRequest.timeout(call.options.timeout)
    if (Either.isLeft(callTimeout)) return Effect.fail(callTimeout.left)
    const { endpoint, projectSegment, rateLimit: limit } = settings.right
    const path = `/v2/${projectSegment}/instances${
      call.instancesPath ?? `/${call.instanceSegment ?? ""}/offline/key-analysis${call.path ?? ""}`
    }`
    const url = endpoint + path
    const request: DcsTransport.Request = {
      method: call.method,
      endpoint,
      path,
      query: call.urlParams ?? [],
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      maxBodyBytes: internalHttp.maxBodyBytes
    }
    const onAttempt = call.onAttempt
    // Debug only: an expected failure (a 404, a retried 503) is the caller's to report, not ours.
    const attempt = Effect.zipRight(
      limit === undefined
        ? Effect.logDebug(`DcsClient: ${call.method} ${url}`)
        : Effect.zipRight(limit, Effect.logDebug(`DcsClient: ${call.method} ${url}`)),
      internalHttp.executeJson(transport, request, call.decode, callTimeout.right ?? layerTimeout)
    ).pipe(
      Effect.mapError((error) => withIds(error, call.ids)),
      Effect.tapError((error) => Effect.logDebug(`DcsClient: ${call.method} ${url} failed: ${error.message}`))
    )
    return retrying(
      onAttempt === undefined ? attempt : Effect.zipRight(Effect.sync(onAttempt), attempt),
      call.options.retry === undefined && call.retryable === undefined
        ? layerRetryPolicy
        : retryPolicy(call.options.retry ?? layerRetry, call.retryable)
    )
  }

  return {
    listInstancesPage: (query, callOptions) => {
      const urlParams: Array<readonly [string, string]> = []
      if (query.offset !== undefined) urlParams.push(["offset", String(query.offset)])
      if (query.limit !== undefined) urlParams.push(["limit", String(query.limit)])
      if (query.instanceId !== undefined) urlParams.push(["instance_id", query.instanceId])
      if (query.name !== undefined) urlParams.push(["name", query.name])
      if (query.nameEqual !== undefined) urlParams.push(["name_equal", String(query.nameEqual)])
      if (query.status !== undefined) urlParams.push(["status", query.status])
      if (query.tags !== undefined) urlParams.push(["tags", query.tags.map(([k, v]) => `${k}=${v}`).join(",")])
      return Effect.map(
        send({
          method: "GET",
          ids: { instanceId: query.instanceId },
          instancesPath: "",
          urlParams,
          decode: decodeInstances,
          options: callOptions
        }),
        (answer) => ({ response: answer.value, requestId: Option.fromNullable(answer.requestId) })
      )
    },
    instanceNodes: (input, callOptions) =>
      Effect.map(
        send({
          method: "GET",
          ids: input,
          instancesPath: `/${input.instanceSegment}/logical-nodes`,
          decode: decodeInstanceNodes,
          options: callOptions
        }),
        (answer) => answer.value.nodes
      ),
    listPage: (query, instanceSegment, callOptions) => {
      const urlParams: Array<readonly [string, string]> = []
      if (query.offset !== undefined) urlParams.push(["offset", String(query.offset)])
      if (query.limit !== undefined) urlParams.push(["limit", String(query.limit)])
      if (query.status !== undefined) urlParams.push(["status", query.status])
      return Effect.map(
        send({
          method: "GET",
          ids: query,
          instanceSegment,
          path: "",
          urlParams,
          decode: decodeListResponse,
          options: callOptions
        }),
        (answer) => ({ response: answer.value, requestId: Option.fromNullable(answer.requestId) })
      )
    },
    create: (input, callOptions) =>
      Effect.map(
        send({
          method: "POST",
          ids: input,
          instanceSegment: input.instanceSegment,
          path: "",
          body: input.backupId === undefined
            ? { node_id: input.nodeId }
            : { node_id: input.nodeId, backup_id: input.backupId },
          decode: decodeTaskId,
          retryable: isThrottled,
          options: callOptions
        }),
        (answer) => answer.value.taskId
      ),
    show: (input, callOptions) =>
      Effect.map(
        send({
          method: "GET",
          ids: input,
          instanceSegment: input.instanceSegment,
          path: `/${input.taskSegment}`,
          decode: decodeReport,
          options: callOptions
        }),
        (answer) => answer.value
      ),
    // No body: an empty `{}` would be hashed into the signature the gateway checks. When an
    // attempt whose answer was lost is retried, the task is already gone: DCS.4232 then means done.
    delete: (input, callOptions) =>
      Effect.suspend(() => {
        let attempts = 0
        return send({
          method: "DELETE",
          ids: input,
          instanceSegment: input.instanceSegment,
          path: `/${input.taskSegment}`,
          decode: decodeTaskId,
          onAttempt: () => attempts++,
          options: callOptions
        }).pipe(
          Effect.asVoid,
          Effect.catchIf((error) => error._tag === "DcsTaskNotFound" && attempts > 1, () => Effect.void)
        )
      }),
    nodes: (input, callOptions) =>
      Effect.map(
        send({
          method: "GET",
          ids: input,
          instanceSegment: input.instanceSegment,
          path: `/${input.taskSegment}/nodes`,
          decode: decodeNodes,
          options: callOptions
        }),
        (answer) => answer.value.nodes
      )
  }
}
