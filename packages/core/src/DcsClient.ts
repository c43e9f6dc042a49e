/**
 * The DCS offline key analysis client: a service, its accessors, the live layer over any
 * `HttpClient`, and an in-memory test layer.
 *
 * The live layer does not sign requests: it is built on the `HttpClient` it is given, and
 * `@effect-dcs/node` gives it one that signs every attempt with AK/SK.
 *
 * @example
 * ```ts
 * import { DcsClient } from "@effect-dcs/core"
 * import { Effect, Stream } from "effect"
 *
 * const failedTasks = DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "my-instance", status: "failed" }).pipe(
 *   Stream.runCollect
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import {
  DcsAnalysisFailed,
  type DcsError,
  DcsInvalidRequest,
  DcsPaginationError,
  DcsWaitTimeout,
  isStatusError,
  isTransient,
  withOffset
} from "./DcsError.js"
import { decodeListResponse } from "./internal/decodeList.js"
import * as internalHttp from "./internal/http.js"
import * as internalTest from "./internal/testBackend.js"
import * as validate from "./internal/validate.js"
import {
  isFinished,
  ListOfflineKeyAnalysisNodesResponse,
  type ListOfflineKeyAnalysisTasksResponse,
  type OfflineKeyAnalysisNode,
  type OfflineKeyAnalysisRecord,
  OfflineKeyAnalysisReport,
  type OfflineKeyAnalysisStatus,
  type OfflineKeyAnalysisTaskPage,
  statusToString,
  TaskIdResponse
} from "./OfflineKeyAnalysis.js"
import * as Paginate from "./Paginate.js"

/**
 * Per-call settings, each overriding the layer's.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  /**
   * How to retry transient faults (transport errors, timeouts, 408, 429, 500, 502, 503, 504).
   * Non-transient errors are never retried whatever the schedule says; `Retry-After` is honoured
   * up to 20 seconds. `Schedule.stop` disables retries.
   */
  readonly retry?: Schedule.Schedule<unknown, DcsError> | undefined
  /** The time one attempt may take, answer and body included. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ListOfflineKeyAnalysisTasksRequest extends CallOptions {
  readonly instanceId: string
  /** The record offset to start at (not a page number); the server's default is 0. */
  readonly offset?: number | undefined
  /** How many records to return; the server's default is 10. */
  readonly limit?: number | undefined
  readonly status?: OfflineKeyAnalysisStatus | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface StreamOfflineKeyAnalysisTasksRequest extends CallOptions {
  readonly instanceId: string
  readonly status?: OfflineKeyAnalysisStatus | undefined
  /** The `limit` of each request; 100 by default. */
  readonly pageSize?: number | undefined
  /** The offset to start at, e.g. to resume a stream that failed; 0 by default. */
  readonly startOffset?: number | undefined
  /**
   * How many pages may be in flight at once (1 to 64); 1, sequential, by default. Beyond 1 the
   * first page is fetched alone, then the following ones in windows of this many; records still
   * come in order, each once.
   */
  readonly concurrency?: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface CreateOfflineKeyAnalysisRequest extends CallOptions {
  readonly instanceId: string
  /** The node whose backup is analysed. */
  readonly nodeId: string
  /** An existing backup to analyse; without it a new backup is taken first. */
  readonly backupId?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface TaskRequest extends CallOptions {
  readonly instanceId: string
  /** The task's id: a list record's `id`, or what create answered. */
  readonly taskId: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface WaitOptions {
  /** When to look again; `defaultWaitSchedule` by default (1 s, growing to every 15 s). */
  readonly schedule?: Schedule.Schedule<unknown> | undefined
  /** How long to wait in all; `defaultWaitTimeout` (30 minutes) by default. */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface WaitForOfflineKeyAnalysisTaskRequest extends WaitOptions {
  readonly instanceId: string
  readonly taskId: string
}

/**
 * @since 0.1.0
 * @category models
 */
export interface AnalyzeKeysRequest extends WaitOptions {
  readonly instanceId: string
  readonly nodeId: string
  readonly backupId?: string | undefined
}

/**
 * What `analyzeKeys` answers: the finished task and its report.
 *
 * @since 0.1.0
 * @category models
 */
export interface AnalysisResult {
  readonly task: OfflineKeyAnalysisRecord
  readonly report: OfflineKeyAnalysisReport
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** One page of the task list, as the service answered it. */
  readonly listOfflineKeyAnalysisTasks: (
    request: ListOfflineKeyAnalysisTasksRequest
  ) => Effect.Effect<ListOfflineKeyAnalysisTasksResponse, DcsError>
  /** Every page of the task list, from `startOffset` to the end, with its offset, total and request id. */
  readonly streamOfflineKeyAnalysisTaskPages: (
    request: StreamOfflineKeyAnalysisTasksRequest
  ) => Stream.Stream<OfflineKeyAnalysisTaskPage, DcsError>
  /** Every task of the list, in the service's order, each once. */
  readonly streamOfflineKeyAnalysisTasks: (
    request: StreamOfflineKeyAnalysisTasksRequest
  ) => Stream.Stream<OfflineKeyAnalysisRecord, DcsError>
  /**
   * Starts an analysis of a node's backup; answers the task id. Fails at once with
   * `DcsAnalysisAlreadyRunning` when one is waiting or running on that node. Not retried, except
   * on 429 (the gateway throttled it: nothing was created).
   */
  readonly createOfflineKeyAnalysis: (request: CreateOfflineKeyAnalysisRequest) => Effect.Effect<string, DcsError>
  /** The report of a task (empty until the task succeeded); `DcsTaskNotFound` for an unknown task. */
  readonly showOfflineKeyAnalysisTask: (request: TaskRequest) => Effect.Effect<OfflineKeyAnalysisReport, DcsError>
  /** Deletes a task and its report; `DcsTaskNotFound` for an unknown or deleted task. */
  readonly deleteOfflineKeyAnalysisTask: (request: TaskRequest) => Effect.Effect<void, DcsError>
  /** The nodes a task analysed. */
  readonly listOfflineKeyAnalysisNodes: (
    request: TaskRequest
  ) => Effect.Effect<ReadonlyArray<OfflineKeyAnalysisNode>, DcsError>
  /**
   * Polls the task list until the task is `success` (answers its record) or `failed`
   * (`DcsAnalysisFailed`); `DcsWaitTimeout` when the time allowed runs out.
   */
  readonly waitForOfflineKeyAnalysisTask: (
    request: WaitForOfflineKeyAnalysisTaskRequest
  ) => Effect.Effect<OfflineKeyAnalysisRecord, DcsError | DcsAnalysisFailed | DcsWaitTimeout>
  /** Create, wait, show: analyses a node's keys and answers the report. */
  readonly analyzeKeys: (
    request: AnalyzeKeysRequest
  ) => Effect.Effect<AnalysisResult, DcsError | DcsAnalysisFailed | DcsWaitTimeout>
}

/**
 * The DCS offline key analysis client.
 *
 * @since 0.1.0
 * @category tags
 */
export class DcsClient extends Context.Tag("@effect-dcs/core/DcsClient")<DcsClient, Service>() {}

/**
 * The default retry schedule: exponential backoff from 200 ms with jitter, at most 4 retries,
 * and none decided once 20 seconds have passed. A server's `Retry-After` can hold the last retry
 * back by up to 20 s more.
 *
 * @since 0.1.0
 * @category retries
 */
export const defaultRetrySchedule: Schedule.Schedule<unknown, DcsError> = Schedule.exponential("200 millis").pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(4)),
  Schedule.upTo("20 seconds")
)

/**
 * The default time one attempt may take.
 *
 * @since 0.1.0
 * @category retries
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(30)

/**
 * The default page size of the streams.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPageSize = 100

/**
 * How often a waiter looks at the task list: after 1 s, then 1.5 times longer each time, at
 * most every 15 s.
 *
 * @since 0.1.0
 * @category waiting
 */
export const defaultWaitSchedule: Schedule.Schedule<unknown> = Schedule.exponential("1 second", 1.5).pipe(
  Schedule.union(Schedule.spaced("15 seconds"))
)

/**
 * How long a waiter waits in all by default: an analysis of a large instance takes minutes.
 *
 * @since 0.1.0
 * @category waiting
 */
export const defaultWaitTimeout: Duration.Duration = Duration.minutes(30)

const MAX_RETRY_AFTER = Duration.seconds(20)
const MAX_CONCURRENCY = 64

// Create is not idempotent: only a throttled request (429: the gateway refused it, nothing was
// created) is safe to send again.
const isThrottled = (error: DcsError): boolean => isStatusError(error) && error.status === 429

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
        : Duration.max(delay, Duration.min(Duration.millis(retryAfter), MAX_RETRY_AFTER))
    })
  )

// ---------------------------------------------------------------------------------------------
// Input validation, shared by the live and the test layer so both reject exactly the same input.
// ---------------------------------------------------------------------------------------------

/**
 * A list call that passed validation.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListQuery {
  readonly instanceId: string
  readonly offset?: number | undefined
  readonly limit?: number | undefined
  readonly status?: OfflineKeyAnalysisStatus | undefined
}

interface ValidList {
  readonly query: ListQuery
  readonly instanceSegment: string
}

const notAnObject = (value: unknown) =>
  typeof value !== "object" || value === null
    ? Either.left(new DcsInvalidRequest({ field: "request", reason: "must be an object" }))
    : undefined

const validateList = (request: ListOfflineKeyAnalysisTasksRequest): Either.Either<ValidList, DcsInvalidRequest> =>
  notAnObject(request) ?? Either.gen(function*() {
    const instanceSegment = yield* validate.pathSegment("instanceId", request.instanceId)
    yield* validateTimeout(request.timeout)
    const offset = yield* validate.optionalInteger("offset", request.offset, 0)
    const limit = yield* validate.optionalInteger("limit", request.limit, 0)
    const status = yield* validate.optionalStatus(request.status)
    return { instanceSegment, query: { instanceId: request.instanceId, offset, limit, status } }
  })

interface ValidStream {
  readonly instanceId: string
  readonly instanceSegment: string
  readonly status: OfflineKeyAnalysisStatus | undefined
  readonly pageSize: number
  readonly startOffset: number
  readonly concurrency: number
}

const validateStream = (
  request: StreamOfflineKeyAnalysisTasksRequest
): Either.Either<ValidStream, DcsInvalidRequest> =>
  notAnObject(request) ?? Either.gen(function*() {
    const instanceSegment = yield* validate.pathSegment("instanceId", request.instanceId)
    yield* validateTimeout(request.timeout)
    const pageSize = yield* validate.optionalInteger("pageSize", request.pageSize, 1)
    const startOffset = yield* validate.optionalInteger("startOffset", request.startOffset, 0)
    const concurrency = yield* validate.optionalInteger("concurrency", request.concurrency, 1, MAX_CONCURRENCY)
    const status = yield* validate.optionalStatus(request.status)
    return {
      concurrency: concurrency ?? 1,
      instanceId: request.instanceId,
      instanceSegment,
      status,
      pageSize: pageSize ?? defaultPageSize,
      startOffset: startOffset ?? 0
    }
  })

const validateTimeout = (timeout: Duration.DurationInput | undefined): Either.Either<
  Duration.Duration | undefined,
  DcsInvalidRequest
> => {
  if (timeout === undefined) return Either.right(undefined)
  const duration = Duration.decodeUnknown(timeout)
  return Option.isSome(duration) && Duration.greaterThan(duration.value, Duration.zero)
    ? Either.right(duration.value)
    : Either.left(new DcsInvalidRequest({ field: "timeout", reason: "must be a positive duration" }))
}

/**
 * A task call that passed validation: ids as given and as encoded path segments.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskInput {
  readonly instanceId: string
  readonly instanceSegment: string
  readonly taskId: string
  readonly taskSegment: string
}

const validateTask = (request: TaskRequest | WaitForOfflineKeyAnalysisTaskRequest) =>
  notAnObject(request) ?? Either.gen(function*() {
    const instanceSegment = yield* validate.pathSegment("instanceId", request.instanceId)
    const taskSegment = yield* validate.pathSegment("taskId", request.taskId)
    yield* validateTimeout(request.timeout)
    return { instanceId: request.instanceId, instanceSegment, taskId: request.taskId, taskSegment } as TaskInput
  })

/**
 * A create call that passed validation.
 *
 * @since 0.1.0
 * @category models
 */
export interface CreateInput {
  readonly instanceId: string
  readonly instanceSegment: string
  readonly nodeId: string
  readonly backupId: string | undefined
}

const validateCreate = (request: CreateOfflineKeyAnalysisRequest | AnalyzeKeysRequest) =>
  notAnObject(request) ?? Either.gen(function*() {
    const instanceSegment = yield* validate.pathSegment("instanceId", request.instanceId)
    const nodeId = yield* validate.identifier("nodeId", request.nodeId)
    yield* validateTimeout(request.timeout)
    const backupId = request.backupId === undefined
      ? undefined
      : yield* validate.identifier("backupId", request.backupId)
    return { instanceId: request.instanceId, instanceSegment, nodeId, backupId } as CreateInput
  })

const validateWait = (request: WaitOptions) =>
  notAnObject(request) ?? Either.gen(function*() {
    const timeout = yield* validateTimeout(request.timeout)
    return {
      schedule: request.schedule ?? defaultWaitSchedule,
      timeout: timeout ?? defaultWaitTimeout
    }
  })

// ---------------------------------------------------------------------------------------------
// One service for every layer: a backend that sends validated calls, plus validation, paging,
// waiting and spans.
// ---------------------------------------------------------------------------------------------

/**
 * One page as a backend answers it, before paging.
 *
 * @since 0.1.0
 * @category models
 */
export interface FetchedPage {
  readonly response: ListOfflineKeyAnalysisTasksResponse
  readonly requestId: Option.Option<string>
}

/**
 * What a layer implements: the API's operations on validated input (ids given both as they are
 * and as encoded path segments). Everything else is shared.
 *
 * @since 0.1.0
 * @category models
 */
export interface Backend {
  readonly listPage: (query: ListQuery, instanceSegment: string, options: CallOptions) => Effect.Effect<
    FetchedPage,
    DcsError
  >
  readonly create: (input: CreateInput, options: CallOptions) => Effect.Effect<string, DcsError>
  readonly show: (input: TaskInput, options: CallOptions) => Effect.Effect<OfflineKeyAnalysisReport, DcsError>
  readonly delete: (input: TaskInput, options: CallOptions) => Effect.Effect<void, DcsError>
  readonly nodes: (input: TaskInput, options: CallOptions) => Effect.Effect<
    ReadonlyArray<OfflineKeyAnalysisNode>,
    DcsError
  >
}

const pageKey = (record: OfflineKeyAnalysisRecord): string => record.id

const validated = <A, B, E, R>(
  input: Either.Either<A, DcsInvalidRequest>,
  f: (valid: A) => Effect.Effect<B, E, R>
): Effect.Effect<B, E | DcsInvalidRequest, R> => Either.isLeft(input) ? Effect.fail(input.left) : f(input.right)

/**
 * Builds the service from a backend.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromBackend = (backend: Backend): Service => {
  const listOfflineKeyAnalysisTasks = (request: ListOfflineKeyAnalysisTasksRequest) =>
    validated(
      validateList(request),
      ({ instanceSegment, query }) =>
        Effect.map(backend.listPage(query, instanceSegment, request), (page) => page.response)
    ).pipe(
      Effect.withSpan("DcsClient.listOfflineKeyAnalysisTasks", {
        attributes: spanAttributes(request),
        captureStackTrace: false
      })
    )

  const streamOfflineKeyAnalysisTaskPages = (
    request: StreamOfflineKeyAnalysisTasksRequest
  ): Stream.Stream<OfflineKeyAnalysisTaskPage, DcsError> =>
    Either.match(validateStream(request), {
      onLeft: (error) => Stream.fail(error),
      onRight: (valid) =>
        Paginate.pages({
          startOffset: valid.startOffset,
          concurrency: valid.concurrency,
          pageSize: valid.pageSize,
          key: pageKey,
          fetch: (offset, limit) =>
            backend.listPage(
              { instanceId: valid.instanceId, offset, limit, status: valid.status },
              valid.instanceSegment,
              request
            ).pipe(
              Effect.mapError((error) => withOffset(error, offset)),
              Effect.map((page) => ({ ...page, items: page.response.records, total: page.response.total })),
              Effect.withSpan("DcsClient.listOfflineKeyAnalysisTasks", {
                attributes: spanAttributes({ ...valid, offset, limit }),
                captureStackTrace: false
              })
            ),
          onNoProgress: ({ offset, page, total }) =>
            new DcsPaginationError({
              offset,
              total,
              reason: "the page held only records already emitted (does the server ignore offset?)",
              requestId: Option.getOrUndefined(page.requestId)
            })
        }).pipe(
          Stream.map((emitted): OfflineKeyAnalysisTaskPage => ({
            offset: emitted.offset,
            limit: emitted.limit,
            total: emitted.total,
            records: emitted.items,
            received: emitted.received,
            requestId: emitted.page.requestId
          }))
        )
    })

  const streamOfflineKeyAnalysisTasks = (request: StreamOfflineKeyAnalysisTasksRequest) =>
    // Each page's records as one chunk, without the copy `Stream.flattenIterables` makes of them.
    Stream.mapConcatChunk(streamOfflineKeyAnalysisTaskPages(request), (page) => Chunk.unsafeFromArray(page.records))

  const createOfflineKeyAnalysis = (request: CreateOfflineKeyAnalysisRequest) =>
    validated(validateCreate(request), (valid) => backend.create(valid, request)).pipe(
      Effect.withSpan("DcsClient.createOfflineKeyAnalysis", {
        attributes: spanAttributes(request),
        captureStackTrace: false
      })
    )

  const taskOperation = <A>(
    name: string,
    operation: (valid: TaskInput, options: CallOptions) => Effect.Effect<A, DcsError>
  ) =>
  (request: TaskRequest): Effect.Effect<A, DcsError> =>
    validated(validateTask(request), (valid) => operation(valid, request)).pipe(
      Effect.withSpan(name, {
        attributes: spanAttributes(request),
        captureStackTrace: false
      })
    )

  // The task's status comes only from the list (the report has none). The newest tasks come
  // first, so a task just created is on the first page.
  const findTask = (valid: TaskInput) =>
    streamOfflineKeyAnalysisTasks({ instanceId: valid.instanceId }).pipe(
      Stream.filter((record) => record.id === valid.taskId),
      Stream.runHead
    )

  const waitForOfflineKeyAnalysisTask = (request: WaitForOfflineKeyAnalysisTaskRequest) =>
    validated(
      Either.all({ task: validateTask(request), wait: validateWait(request) }),
      ({ task, wait }) =>
        Effect.gen(function*() {
          const started = yield* Clock.currentTimeMillis
          // The task as last seen in the list (it may not be listed yet right after create).
          const lastSeen = yield* Ref.make(Option.none<OfflineKeyAnalysisRecord>())
          const look = Effect.tap(findTask(task), (found) =>
            Option.isSome(found) ? Ref.set(lastSeen, found) : Effect.void)
          yield* Effect.repeat(look, {
            schedule: wait.schedule,
            until: (found) =>
              Option.isSome(found) && isFinished(found.value.status)
          }).pipe(Effect.timeoutOption(wait.timeout))
          const last = yield* Ref.get(lastSeen)
          if (Option.isNone(last) || !isFinished(last.value.status)) {
            const now = yield* Clock.currentTimeMillis
            return yield* new DcsWaitTimeout({
              instanceId: task.instanceId,
              taskId: task.taskId,
              waitedMillis: now - started,
              lastStatus: Option.getOrUndefined(Option.map(last, (record) => statusToString(record.status)))
            })
          }
          if (last.value.status === "failed") {
            return yield* new DcsAnalysisFailed({ instanceId: task.instanceId, taskId: task.taskId })
          }
          return last.value
        })
    ).pipe(
      Effect.withSpan("DcsClient.waitForOfflineKeyAnalysisTask", {
        attributes: spanAttributes(request),
        captureStackTrace: false
      })
    )

  const showOfflineKeyAnalysisTask = taskOperation("DcsClient.showOfflineKeyAnalysisTask", backend.show)

  const analyzeKeys = (request: AnalyzeKeysRequest) =>
    validated(validateCreate(request), (valid) =>
      Effect.gen(function*() {
        const taskId = yield* createOfflineKeyAnalysis(valid)
        const task = yield* waitForOfflineKeyAnalysisTask({ ...request, taskId })
        const report = yield* showOfflineKeyAnalysisTask({ instanceId: valid.instanceId, taskId })
        return { task, report }
      })).pipe(
        Effect.withSpan("DcsClient.analyzeKeys", {
          attributes: spanAttributes(request),
          captureStackTrace: false
        })
      )

  return {
    listOfflineKeyAnalysisTasks,
    streamOfflineKeyAnalysisTaskPages,
    streamOfflineKeyAnalysisTasks,
    createOfflineKeyAnalysis,
    showOfflineKeyAnalysisTask,
    deleteOfflineKeyAnalysisTask: taskOperation("DcsClient.deleteOfflineKeyAnalysisTask", backend.delete),
    listOfflineKeyAnalysisNodes: taskOperation("DcsClient.listOfflineKeyAnalysisNodes", backend.nodes),
    waitForOfflineKeyAnalysisTask,
    analyzeKeys
  }
}

const spanAttributeNames = {
  instanceId: "dcs.instance_id",
  taskId: "dcs.task_id",
  nodeId: "dcs.node_id",
  offset: "dcs.offset",
  limit: "dcs.limit",
  status: "dcs.status"
} as const

// Runs before validation, so it must not trust the request to be an object.
const spanAttributes = (request: unknown): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {}
  if (typeof request !== "object" || request === null) return attributes
  for (const [key, name] of Object.entries(spanAttributeNames)) {
    const value = (request as Record<string, unknown>)[key]
    if (typeof value === "string" || typeof value === "number") attributes[name] = value
  }
  return attributes
}

// ---------------------------------------------------------------------------------------------
// The live layer
// ---------------------------------------------------------------------------------------------

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The API endpoint, e.g. `https://dcs.cn-north-4.myhuaweicloud.com`. A path prefix is kept. */
  readonly endpoint: string
  readonly projectId: string
  /** The time one attempt may take; 30 seconds by default. */
  readonly timeout?: Duration.DurationInput | undefined
  /** How to retry transient faults; `defaultRetrySchedule` by default, `Schedule.stop` for none. */
  readonly retry?: Schedule.Schedule<unknown, DcsError> | undefined
  /** The `User-Agent` header; `effect-dcs` by default. */
  readonly userAgent?: string | undefined
}

/**
 * Builds the client on the `HttpClient` in context. Invalid options do not fail the layer: every
 * call fails with a `DcsInvalidRequest` naming the option, and nothing is sent.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (httpClient) => makeWith(httpClient, options))

const decodeWith = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema)
  return (json: unknown): Either.Either<A, string> =>
    Either.mapLeft(decode(json, { errors: "first" }), (error) => ParseResult.TreeFormatter.formatErrorSync(error))
}

const decodeTaskId = decodeWith(TaskIdResponse)
const decodeReport = decodeWith(OfflineKeyAnalysisReport)
const decodeNodes = decodeWith(ListOfflineKeyAnalysisNodesResponse)

const makeWith = (givenClient: HttpClient.HttpClient, options: Options): Service => {
  // The call's span carries the HTTP attributes. The platform's own client span would end with
  // the signed request (security token included) in its exit, for any tracer to print.
  const httpClient = HttpClient.withTracerDisabledWhen(givenClient, () => true)
  const settings = Either.all({
    endpoint: validate.endpoint(options.endpoint),
    projectSegment: validate.pathSegment("projectId", options.projectId),
    timeout: validateTimeout(options.timeout)
  })
  const headers = {
    accept: "application/json",
    "user-agent": options.userAgent ?? "effect-dcs"
  }
  const layerRetry = options.retry ?? defaultRetrySchedule
  // Built once: a call without a schedule of its own (every page of a stream) reuses it.
  const layerRetryPolicy = retryPolicy(layerRetry)
  const layerTimeout = Either.isRight(settings) ? settings.right.timeout ?? defaultTimeout : defaultTimeout

  /** Sends one call of the resource: `path` follows `/offline/key-analysis`. */
  const send = <A>(call: {
    readonly method: "GET" | "POST" | "DELETE"
    readonly instanceSegment: string
    readonly path: string
    readonly urlParams?: ReadonlyArray<readonly [string, string]>
    readonly body?: unknown
    readonly decode: (json: unknown) => Either.Either<A, string>
    readonly retryable?: (error: DcsError) => boolean
    /** Called before each attempt, retries included. */
    readonly onAttempt?: () => void
    readonly options: CallOptions
  }): Effect.Effect<internalHttp.Answer<A>, DcsError> => {
    if (Either.isLeft(settings)) return Effect.fail(settings.left)
    const callTimeout = validateTimeout(call.options.timeout)
    if (Either.isLeft(callTimeout)) return Effect.fail(callTimeout.left)
    const { endpoint, projectSegment } = settings.right
    const url = `${endpoint}/v2/${projectSegment}/instances/${call.instanceSegment}/offline/key-analysis${call.path}`
    const base = HttpClientRequest.make(call.method)(url, { headers, urlParams: call.urlParams ?? [] })
    const request = call.body === undefined ? base : HttpClientRequest.bodyUnsafeJson(base, call.body)
    const onAttempt = call.onAttempt
    // Debug only: an expected failure (a 404, a retried 503) is the caller's to report, not ours.
    const attempt = Effect.zipRight(
      Effect.logDebug(`DcsClient: ${call.method} ${url}`),
      internalHttp.executeJson(httpClient, request, call.decode, callTimeout.right ?? layerTimeout)
    ).pipe(Effect.tapError((error) => Effect.logDebug(`DcsClient: ${call.method} ${url} failed: ${error.message}`)))
    return (onAttempt === undefined ? attempt : Effect.zipRight(Effect.sync(onAttempt), attempt)).pipe(
      Effect.retry(
        call.options.retry === undefined && call.retryable === undefined
          ? layerRetryPolicy
          : retryPolicy(call.options.retry ?? layerRetry, call.retryable)
      )
    )
  }

  const backend: Backend = {
    listPage: (query, instanceSegment, callOptions) => {
      const urlParams: Array<readonly [string, string]> = []
      if (query.offset !== undefined) urlParams.push(["offset", String(query.offset)])
      if (query.limit !== undefined) urlParams.push(["limit", String(query.limit)])
      if (query.status !== undefined) urlParams.push(["status", query.status])
      return Effect.map(
        send({ method: "GET", instanceSegment, path: "", urlParams, decode: decodeListResponse, options: callOptions }),
        (answer) => ({ response: answer.value, requestId: Option.fromNullable(answer.requestId) })
      )
    },
    create: (input, callOptions) =>
      Effect.map(
        send({
          method: "POST",
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
          instanceSegment: input.instanceSegment,
          path: `/${input.taskSegment}/nodes`,
          decode: decodeNodes,
          options: callOptions
        }),
        (answer) => answer.value.nodes
      )
  }
  return fromBackend(backend)
}

/**
 * The live client, built on the `HttpClient` in context (which signs, in `@effect-dcs/node`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<DcsClient, never, HttpClient.HttpClient> =>
  Layer.effect(DcsClient, make(options))

/**
 * The live client with its options read from `Config`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Config.Config.Wrap<Options>
): Layer.Layer<DcsClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(DcsClient, Effect.flatMap(Config.unwrap(options), make))

// ---------------------------------------------------------------------------------------------
// The test layer
// ---------------------------------------------------------------------------------------------

/**
 * A call the test client received (after validation: a call that failed validation is not
 * recorded, as the live client would not have sent it).
 *
 * @since 0.1.0
 * @category testing
 */
export type TestCall =
  | { readonly operation: "listOfflineKeyAnalysisTasks"; readonly query: ListQuery }
  | {
    readonly operation: "createOfflineKeyAnalysis"
    readonly instanceId: string
    readonly nodeId: string
    readonly backupId: string | undefined
  }
  | {
    readonly operation: "showOfflineKeyAnalysisTask" | "deleteOfflineKeyAnalysisTask" | "listOfflineKeyAnalysisNodes"
    readonly instanceId: string
    readonly taskId: string
  }

/**
 * How analyses created in the test layer move: `waiting` for `waitingFor`, `running` for
 * `runningFor`, then `outcome`, on the test's `Clock` (so `TestClock.adjust` moves them).
 *
 * @since 0.1.0
 * @category testing
 */
export interface TestAnalysisOptions {
  /** 2 seconds by default. */
  readonly waitingFor?: Duration.DurationInput | undefined
  /** 8 seconds by default. */
  readonly runningFor?: Duration.DurationInput | undefined
  /** `success` by default. */
  readonly outcome?: ((analysis: CreateInput) => "success" | "failed") | undefined
  /** The report of a successful analysis; by default one with the task's ids and times only. */
  readonly report?: ((analysis: TestAnalysis) => OfflineKeyAnalysisReport) | undefined
}

/**
 * An analysis created in the test layer.
 *
 * @since 0.1.0
 * @category testing
 */
export interface TestAnalysis {
  readonly taskId: string
  readonly instanceId: string
  readonly nodeId: string
  readonly backupId: string | undefined
  readonly record: OfflineKeyAnalysisRecord
}

/**
 * @since 0.1.0
 * @category testing
 */
export interface TestOptions {
  /** The tasks every instance lists, in the order given (the service lists newest first). */
  readonly tasks?: ReadonlyArray<OfflineKeyAnalysisRecord> | undefined
  /** Tasks per instance; when given, an instance not named fails with `DcsNotFound`. */
  readonly instances?: Readonly<Record<string, ReadonlyArray<OfflineKeyAnalysisRecord>>> | undefined
  /** The most records one page returns, like a server that caps `limit`. */
  readonly maxLimit?: number | undefined
  /** Fails a call with the error returned, if any. */
  readonly failWith?: ((call: TestCall) => DcsError | undefined) | undefined
  /** How created analyses move. */
  readonly analysis?: TestAnalysisOptions | undefined
  /** Reports of the given `tasks`, by task id (show answers an empty report otherwise). */
  readonly reports?: Readonly<Record<string, OfflineKeyAnalysisReport>> | undefined
}

/**
 * The controls of the test layer: the calls made, and the data and failures served.
 *
 * @since 0.1.0
 * @category testing
 */
export class TestClient extends Context.Tag("@effect-dcs/core/DcsClient/TestClient")<TestClient, {
  /** Every call received, in order. */
  readonly calls: Effect.Effect<ReadonlyArray<TestCall>>
  /** Replaces the tasks of an instance (or of every instance when `instanceId` is omitted). */
  readonly setTasks: (tasks: ReadonlyArray<OfflineKeyAnalysisRecord>, instanceId?: string) => Effect.Effect<void>
  /** Replaces the failure function. */
  readonly setFailWith: (failWith: ((call: TestCall) => DcsError | undefined) | undefined) => Effect.Effect<void>
}>() {}

/**
 * An in-memory client for unit tests: no network. It validates input exactly as the live client
 * does, pages like the server (offset, limit with the server's default of 10, status; `total`
 * counts the tasks matching the filter), runs created analyses through waiting, running and
 * success or failed as the test's clock advances, can be told to fail with any `DcsError`, and
 * records the calls made (see `TestClient`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTest = (options: TestOptions = {}): Layer.Layer<DcsClient | TestClient> =>
  Layer.effectContext(
    Effect.map(internalTest.make(options), ({ backend, control }) =>
      Context.make(DcsClient, fromBackend(backend)).pipe(Context.add(TestClient, control)))
  )

// ---------------------------------------------------------------------------------------------
// Accessors
// ---------------------------------------------------------------------------------------------

/**
 * One page of the task list.
 *
 * @since 0.1.0
 * @category accessors
 */
export const listOfflineKeyAnalysisTasks = (
  request: ListOfflineKeyAnalysisTasksRequest
): Effect.Effect<ListOfflineKeyAnalysisTasksResponse, DcsError, DcsClient> =>
  Effect.flatMap(DcsClient, (client) => client.listOfflineKeyAnalysisTasks(request))

/**
 * Every page of the task list, to the end.
 *
 * @since 0.1.0
 * @category accessors
 */
export const streamOfflineKeyAnalysisTaskPages = (
  request: StreamOfflineKeyAnalysisTasksRequest
): Stream.Stream<OfflineKeyAnalysisTaskPage, DcsError, DcsClient> =>
  Stream.unwrap(Effect.map(DcsClient, (client) => client.streamOfflineKeyAnalysisTaskPages(request)))

/**
 * Every task of the list, to the end, each once.
 *
 * @since 0.1.0
 * @category accessors
 */
export const streamOfflineKeyAnalysisTasks = (
  request: StreamOfflineKeyAnalysisTasksRequest
): Stream.Stream<OfflineKeyAnalysisRecord, DcsError, DcsClient> =>
  Stream.unwrap(Effect.map(DcsClient, (client) => client.streamOfflineKeyAnalysisTasks(request)))

/**
 * Starts an analysis of a node's backup; answers the task id.
 *
 * @since 0.1.0
 * @category accessors
 */
export const createOfflineKeyAnalysis = (
  request: CreateOfflineKeyAnalysisRequest
): Effect.Effect<string, DcsError, DcsClient> =>
  Effect.flatMap(DcsClient, (client) => client.createOfflineKeyAnalysis(request))

/**
 * The report of a task.
 *
 * @since 0.1.0
 * @category accessors
 */
export const showOfflineKeyAnalysisTask = (
  request: TaskRequest
): Effect.Effect<OfflineKeyAnalysisReport, DcsError, DcsClient> =>
  Effect.flatMap(DcsClient, (client) => client.showOfflineKeyAnalysisTask(request))

/**
 * Deletes a task.
 *
 * @since 0.1.0
 * @category accessors
 */
export const deleteOfflineKeyAnalysisTask = (request: TaskRequest): Effect.Effect<void, DcsError, DcsClient> =>
  Effect.flatMap(DcsClient, (client) => client.deleteOfflineKeyAnalysisTask(request))

/**
 * The nodes a task analysed.
 *
 * @since 0.1.0
 * @category accessors
 */
export const listOfflineKeyAnalysisNodes = (
  request: TaskRequest
): Effect.Effect<ReadonlyArray<OfflineKeyAnalysisNode>, DcsError, DcsClient> =>
  Effect.flatMap(DcsClient, (client) => client.listOfflineKeyAnalysisNodes(request))

/**
 * Waits until a task is `success` (its record) or `failed` (`DcsAnalysisFailed`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const waitForOfflineKeyAnalysisTask = (
  request: WaitForOfflineKeyAnalysisTaskRequest
): Effect.Effect<OfflineKeyAnalysisRecord, DcsError | DcsAnalysisFailed | DcsWaitTimeout, DcsClient> =>
  Effect.flatMap(DcsClient, (client) => client.waitForOfflineKeyAnalysisTask(request))

/**
 * Create, wait, show: analyses a node's keys and answers the finished task and its report.
 *
 * @since 0.1.0
 * @category accessors
 */
export const analyzeKeys = (
  request: AnalyzeKeysRequest
): Effect.Effect<AnalysisResult, DcsError | DcsAnalysisFailed | DcsWaitTimeout, DcsClient> =>
  Effect.flatMap(DcsClient, (client) => client.analyzeKeys(request))
