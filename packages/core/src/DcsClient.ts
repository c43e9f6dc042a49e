/**
 * The DCS offline key analysis client: a service, its accessors, the live layer over any
 * `HttpClient`, and an in-memory test layer.
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
 * The live layer does not sign requests: it is built on the `HttpClient` it is given, and
 * `@effect-dcs/node` gives it one that signs every attempt with AK/SK.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import {
  type DcsError,
  DcsInvalidRequest,
  DcsNotFound,
  DcsPaginationError,
  isTransient,
  withOffset
} from "./DcsError.js"
import { decodeListResponse } from "./internal/decodeList.js"
import * as internalHttp from "./internal/http.js"
import * as validate from "./internal/validate.js"
import {
  ListOfflineKeyAnalysisTasksResponse,
  type OfflineKeyAnalysisRecord,
  type OfflineKeyAnalysisStatus,
  type OfflineKeyAnalysisTaskPage
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
 * and no new attempt once 20 seconds have passed.
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

const MAX_RETRY_AFTER = Duration.seconds(20)
const MAX_CONCURRENCY = 64

/**
 * Turns a user's schedule into the retry policy: transient errors only, and never sooner than
 * the server's `Retry-After` (capped).
 */
const retryPolicy = (schedule: Schedule.Schedule<unknown, DcsError>) =>
  schedule.pipe(
    Schedule.intersect(Schedule.identity<DcsError>()),
    Schedule.whileInput(isTransient),
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

// ---------------------------------------------------------------------------------------------
// One service shape for every layer: a page fetcher plus validation and paging.
// ---------------------------------------------------------------------------------------------

/**
 * One page as a layer answers it, before paging.
 *
 * @since 0.1.0
 * @category models
 */
export interface FetchedPage {
  readonly response: ListOfflineKeyAnalysisTasksResponse
  readonly requestId: Option.Option<string>
}

/**
 * What a layer implements: fetch one validated page. Everything else (validation, paging,
 * repeats, spans) is shared.
 *
 * @since 0.1.0
 * @category models
 */
export type FetchPage = (query: ListQuery, instanceSegment: string, options: CallOptions) => Effect.Effect<
  FetchedPage,
  DcsError
>

const pageKey = (record: OfflineKeyAnalysisRecord): string => record.id

/**
 * Builds the service from a page fetcher.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromFetchPage = (fetchPage: FetchPage): Service => {
  const listOfflineKeyAnalysisTasks = (request: ListOfflineKeyAnalysisTasksRequest) =>
    Either.match(validateList(request), {
      onLeft: (error) => Effect.fail(error),
      onRight: ({ instanceSegment, query }) =>
        Effect.map(fetchPage(query, instanceSegment, request), (page) => page.response)
    }).pipe(
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
            fetchPage(
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

  return {
    listOfflineKeyAnalysisTasks,
    streamOfflineKeyAnalysisTaskPages,
    streamOfflineKeyAnalysisTasks: (request) =>
      Stream.flattenIterables(Stream.map(streamOfflineKeyAnalysisTaskPages(request), (page) => page.records))
  }
}

const spanAttributes = (request: {
  readonly instanceId?: unknown
  readonly offset?: unknown
  readonly limit?: unknown
  readonly status?: unknown
}): Record<string, unknown> => {
  const attributes: Record<string, unknown> = { "dcs.instance_id": String(request.instanceId) }
  if (request.offset !== undefined) attributes["dcs.offset"] = request.offset
  if (request.limit !== undefined) attributes["dcs.limit"] = request.limit
  if (request.status !== undefined) attributes["dcs.status"] = request.status
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
  const layerTimeout = Either.isRight(settings) ? settings.right.timeout ?? defaultTimeout : defaultTimeout

  const fetchPage: FetchPage = (query, instanceSegment, callOptions) => {
    if (Either.isLeft(settings)) return Effect.fail(settings.left)
    const callTimeout = validateTimeout(callOptions.timeout)
    if (Either.isLeft(callTimeout)) return Effect.fail(callTimeout.left)
    const { endpoint, projectSegment } = settings.right
    const urlParams: Array<[string, string]> = []
    if (query.offset !== undefined) urlParams.push(["offset", String(query.offset)])
    if (query.limit !== undefined) urlParams.push(["limit", String(query.limit)])
    if (query.status !== undefined) urlParams.push(["status", query.status])
    const request = HttpClientRequest.get(
      `${endpoint}/v2/${projectSegment}/instances/${instanceSegment}/offline/key-analysis`,
      { headers, urlParams }
    )
    const attempt = internalHttp.executeJson(
      httpClient,
      request,
      decodeListResponse,
      callTimeout.right ?? layerTimeout
    )
    return attempt.pipe(
      Effect.retry(retryPolicy(callOptions.retry ?? layerRetry)),
      Effect.map((answer) => ({ response: answer.value, requestId: Option.fromNullable(answer.requestId) }))
    )
  }
  return fromFetchPage(fetchPage)
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
export interface TestCall {
  readonly operation: "listOfflineKeyAnalysisTasks"
  readonly query: ListQuery
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

interface TestState {
  readonly calls: ReadonlyArray<TestCall>
  readonly everyInstance: ReadonlyArray<OfflineKeyAnalysisRecord>
  readonly instances: Readonly<Record<string, ReadonlyArray<OfflineKeyAnalysisRecord>>> | undefined
  readonly failWith: ((call: TestCall) => DcsError | undefined) | undefined
}

/**
 * An in-memory client for unit tests: no network. It validates input exactly as the live client
 * does, pages like the server (offset, limit with the server's default of 10, status; `total`
 * counts the tasks matching the filter), can be told to fail with any `DcsError`, and records
 * the calls made (see `TestClient`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTest = (options: TestOptions = {}): Layer.Layer<DcsClient | TestClient> =>
  Layer.effectContext(Effect.gen(function*() {
    const state = yield* Ref.make<TestState>({
      calls: [],
      everyInstance: options.tasks ?? [],
      instances: options.instances,
      failWith: options.failWith
    })
    const fetchPage: FetchPage = (query) =>
      Ref.modify(state, (s): [Either.Either<FetchedPage, DcsError>, TestState] => {
        const call: TestCall = { operation: "listOfflineKeyAnalysisTasks", query }
        const next = { ...s, calls: [...s.calls, call] }
        const failure = s.failWith?.(call)
        if (failure !== undefined) return [Either.left(failure), next]
        const tasks = s.instances === undefined ? s.everyInstance : s.instances[query.instanceId]
        if (tasks === undefined) {
          return [Either.left(testNotFound(query.instanceId)), next]
        }
        const matching = query.status === undefined ? tasks : tasks.filter((task) => task.status === query.status)
        const offset = query.offset ?? 0
        const limit = Math.min(query.limit ?? 10, options.maxLimit ?? Number.POSITIVE_INFINITY)
        const response = new ListOfflineKeyAnalysisTasksResponse({
          instanceId: Option.some(query.instanceId),
          total: matching.length,
          records: matching.slice(offset, offset + limit)
        })
        return [Either.right({ response, requestId: Option.some(`test-${next.calls.length}`) }), next]
      }).pipe(Effect.flatten)
    const control: TestClient["Type"] = {
      calls: Effect.map(Ref.get(state), (s) => s.calls),
      setTasks: (tasks, instanceId) =>
        Ref.update(state, (s) =>
          instanceId === undefined
            ? { ...s, everyInstance: tasks, instances: undefined }
            : { ...s, instances: { ...(s.instances ?? {}), [instanceId]: tasks } }),
      setFailWith: (failWith) => Ref.update(state, (s) => ({ ...s, failWith }))
    }
    return Context.make(DcsClient, fromFetchPage(fetchPage)).pipe(Context.add(TestClient, control))
  }))

const testNotFound = (instanceId: string) =>
  new DcsNotFound({
    status: 404,
    errorCode: "DCS.4401",
    errorMsg: `The instance ${instanceId} does not exist.`
  })

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
