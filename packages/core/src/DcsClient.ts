/**
 * The DCS offline key analysis client: the service, its requests and answers, its defaults, the
 * live layer over any `HttpClient`, the in-memory test layer (see `DcsClientTest`), and accessors.
 * The implementation is in `internal/`; this module only declares.
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
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import type * as DcsClientTest from "./DcsClientTest.js"
import type {
  DcsAnalysisFailed,
  DcsError,
  DcsNoAnalyzableNode,
  DcsNoSuccessfulAnalysis,
  DcsWaitTimeout
} from "./DcsError.js"
import type { DcsInstance, DcsInstanceNode, DcsInstancePage, ListInstancesResponse } from "./DcsInstance.js"
import * as DcsTransport from "./DcsTransport.js"
import type { FleetOutcome } from "./Fleet.js"
import type { InstanceAnalysis, NodeChoice } from "./InstanceAnalysis.js"
import * as defaults from "./internal/defaults.js"
import * as httpBackend from "./internal/httpBackend.js"
import * as internalService from "./internal/service.js"
import * as internalTest from "./internal/testBackend.js"
import * as validate from "./internal/validate.js"
import type {
  ListOfflineKeyAnalysisTasksResponse,
  OfflineKeyAnalysisNode,
  OfflineKeyAnalysisRecord,
  OfflineKeyAnalysisReport,
  OfflineKeyAnalysisStatus,
  OfflineKeyAnalysisTaskPage
} from "./OfflineKeyAnalysis.js"

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
   * first page is fetched alone, then the following ones through a sliding window (a request goes
   * out as soon as another is answered); records still come in order, each once.
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
  /**
   * How each call made while waiting is retried (see `CallOptions.retry`); the layer's schedule
   * by default.
   *
   * @since 0.2.0
   */
  readonly retry?: Schedule.Schedule<unknown, DcsError> | undefined
}

/**
 * A task an analysis runs on, as soon as it is known: created, or found already running on the
 * node and attached to. Its id outlives an interruption: the task goes on in the service.
 *
 * @since 0.2.0
 * @category models
 */
export interface AnalysisTask {
  readonly instanceId: string
  readonly nodeId: string
  readonly taskId: string
  /** Whether the task was already running on the node (attached to) rather than created. */
  readonly attached: boolean
}

/**
 * What an analysis does when the node already has an analysis waiting or running
 * (`DcsAnalysisAlreadyRunning`): `"attach"` waits for that task and answers its report;
 * `"fail"` fails with the error (carrying `runningTaskId` when it was found).
 *
 * @since 0.2.0
 * @category models
 */
export type OnAlreadyRunning = "attach" | "fail"

/**
 * The lifecycle options of an analysis.
 *
 * @since 0.2.0
 * @category models
 */
export interface AnalysisOptions extends WaitOptions {
  /**
   * `"attach"` by default: the service allows one analysis per node at a time, and the one
   * running analyses the same node's fresh backup, so waiting for it gives the answer asked for
   * without a second backup of the node; failing would only make the caller retry later. An
   * analysis of a given `backupId` never attaches (the running one may analyse another backup).
   */
  readonly onAlreadyRunning?: OnAlreadyRunning | undefined
  /**
   * Called with each task as soon as it is created or attached to, before waiting: e.g. to print
   * its id, which stays useful if the wait is interrupted (the task goes on in the service).
   */
  readonly onTask?: ((task: AnalysisTask) => Effect.Effect<void>) | undefined
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
export interface AnalyzeKeysRequest extends AnalysisOptions {
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
  /**
   * Whether the task was already running on the node and was attached to, not created.
   *
   * @since 0.2.0
   */
  readonly attached: boolean
}

/**
 * The server-side filters of the list of instances, sent as query parameters.
 *
 * @since 0.2.0
 * @category models
 */
export interface InstanceFilters {
  /** The instance name: a fuzzy match, or an exact one with `nameEqual`. */
  readonly name?: string | undefined
  /** Whether `name` must match exactly. */
  readonly nameEqual?: boolean | undefined
  /** One instance status, e.g. `RUNNING` (see `DcsInstance.KnownInstanceStatus`). */
  readonly status?: string | undefined
  /** Tags that must all match, e.g. `{ env: "prod" }` (sent as `tags=env=prod`). */
  readonly tags?: Readonly<Record<string, string>> | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface ListInstancesRequest extends CallOptions, InstanceFilters {
  /** The record offset to start at (not a page number); the server's default is 0. */
  readonly offset?: number | undefined
  /** How many instances to return, 1 to 1000; the server's default is 10. */
  readonly limit?: number | undefined
  /** Only this instance. */
  readonly instanceId?: string | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface StreamInstancesRequest extends CallOptions, InstanceFilters {
  /** The `limit` of each request, 1 to 1000; `defaultInstancePageSize` (1000) by default. */
  readonly pageSize?: number | undefined
  /** The offset to start at, e.g. to resume a stream that failed; 0 by default. */
  readonly startOffset?: number | undefined
  /** How many pages may be in flight at once (1 to 64); 1 by default. */
  readonly concurrency?: number | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface ListInstanceNodesRequest extends CallOptions {
  readonly instanceId: string
}

/**
 * @since 0.2.0
 * @category models
 */
export interface AnalyzeInstanceRequest extends AnalysisOptions {
  readonly instanceId: string
  /** Which nodes to analyse; one per shard, a replica when the shard has one, by default. */
  readonly nodes?: NodeChoice | undefined
  /** How many nodes are analysed at once (1 to 64); `defaultNodeConcurrency` (8) by default. */
  readonly concurrency?: number | undefined
}

/**
 * @since 0.2.0
 * @category models
 */
export interface AnalyzeFleetRequest extends AnalysisOptions, InstanceFilters {
  /** How many instances are analysed at once (1 to 64); `defaultFleetConcurrency` (4) by default. */
  readonly concurrency?: number | undefined
  /** Which nodes of each instance to analyse (see `NodeChoice`; node ids are per instance, so not here). */
  readonly nodes?: "preferReplicas" | "replicas" | "masters" | undefined
  /** How many nodes of one instance are analysed at once; `defaultNodeConcurrency` (8) by default. */
  readonly nodeConcurrency?: number | undefined
  /**
   * Called once with every instance the filters matched, before any analysis starts (e.g. to
   * show progress out of a total).
   */
  readonly onInstances?: ((instances: ReadonlyArray<DcsInstance>) => Effect.Effect<void>) | undefined
}

/**
 * Which successful analysis: of an instance, and of one of its nodes when `nodeId` is given (the
 * task list does not say which node a task analysed, so the reports of the newest successful
 * tasks are read until one of that node is found).
 *
 * @since 0.2.0
 * @category models
 */
export interface SuccessfulAnalysisRequest extends CallOptions {
  readonly instanceId: string
  readonly nodeId?: string | undefined
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
  /** One page of the instances of the project (`total` is how many match the filters). */
  readonly listInstances: (request?: ListInstancesRequest) => Effect.Effect<ListInstancesResponse, DcsError>
  /** Every page of the instances matching the filters, from `startOffset` to the end. */
  readonly streamInstancePages: (request?: StreamInstancesRequest) => Stream.Stream<DcsInstancePage, DcsError>
  /** Every instance matching the filters, each once. */
  readonly streamInstances: (request?: StreamInstancesRequest) => Stream.Stream<DcsInstance, DcsError>
  /** The nodes of an instance: masters, replicas and proxies, with their shard. */
  readonly listInstanceNodes: (
    request: ListInstanceNodesRequest
  ) => Effect.Effect<ReadonlyArray<DcsInstanceNode>, DcsError>
  /**
   * Analyses a whole instance: lists its nodes, analyses one per shard concurrently, and merges
   * the reports (see `InstanceAnalysis`).
   */
  readonly analyzeInstance: (
    request: AnalyzeInstanceRequest
  ) => Effect.Effect<InstanceAnalysis, DcsError | DcsAnalysisFailed | DcsWaitTimeout | DcsNoAnalyzableNode>
  /**
   * Analyses every instance matching the filters, `concurrency` at once, and emits one
   * `FleetOutcome` per instance as it finishes. One instance's failure never stops the others;
   * the stream fails only when the instances cannot be listed.
   */
  readonly analyzeFleet: (request?: AnalyzeFleetRequest) => Stream.Stream<FleetOutcome, DcsError>
  /**
   * The newest successful analysis (of the node, when `nodeId` is given) and its report;
   * `DcsNoSuccessfulAnalysis` when there is none.
   */
  readonly latestSuccessfulAnalysis: (
    request: SuccessfulAnalysisRequest
  ) => Effect.Effect<AnalysisResult, DcsError | DcsNoSuccessfulAnalysis>
  /**
   * The successful analysis before the newest one (of the node, when `nodeId` is given) and its
   * report; `DcsNoSuccessfulAnalysis` when fewer than two succeeded. With
   * `latestSuccessfulAnalysis`, what to compare: `compareReports(previous.report, latest.report)`.
   */
  readonly previousSuccessfulAnalysis: (
    request: SuccessfulAnalysisRequest
  ) => Effect.Effect<AnalysisResult, DcsError | DcsNoSuccessfulAnalysis>
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
export const defaultRetrySchedule: Schedule.Schedule<unknown, DcsError> = defaults.retrySchedule

/**
 * The default time one attempt may take.
 *
 * @since 0.1.0
 * @category retries
 */
export const defaultTimeout: Duration.Duration = defaults.timeout

/**
 * The default page size of the streams.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPageSize: number = defaults.pageSize

/**
 * How often a waiter looks at the task list: after 1 s, then 1.5 times longer each time, at
 * most every 15 s.
 *
 * @since 0.1.0
 * @category waiting
 */
export const defaultWaitSchedule: Schedule.Schedule<unknown> = defaults.waitSchedule

/**
 * How long a waiter waits in all by default: an analysis of a large instance takes minutes.
 *
 * @since 0.1.0
 * @category waiting
 */
export const defaultWaitTimeout: Duration.Duration = defaults.waitTimeout

/**
 * The page size of `streamInstances`: the largest the API accepts (a fleet is rarely larger).
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultInstancePageSize: number = defaults.instancePageSize

/**
 * How many nodes of one instance `analyzeInstance` analyses at once by default.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultNodeConcurrency: number = defaults.nodeConcurrency

/**
 * How many instances `analyzeFleet` analyses at once by default.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultFleetConcurrency: number = defaults.fleetConcurrency

/**
 * How `analyzeFleet` retries each of its calls unless told otherwise: throttling (429) is normal
 * at fleet scale, so a longer budget than `defaultRetrySchedule`: exponential backoff from 1 s
 * with jitter, each delay at most 30 s (a `Retry-After` is honoured up to 20 s), none decided
 * once 10 minutes have passed.
 *
 * @since 0.2.0
 * @category retries
 */
export const defaultFleetRetrySchedule: Schedule.Schedule<unknown, DcsError> = defaults.fleetRetrySchedule

/**
 * A client-side limit on the requests a layer sends, shared by every fiber using it: at most
 * `requests` in any window of `per` (a sliding window, as the gateway counts per window).
 * Each attempt counts, retries included.
 *
 * @since 0.2.0
 * @category models
 */
export interface RateLimit {
  readonly requests: number
  readonly per: Duration.DurationInput
}

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
  /**
   * A client-side rate limit shared by every fiber of the layer (none by default), to stay under
   * the gateway's throttling threshold rather than be throttled.
   *
   * @since 0.2.0
   */
  readonly rateLimit?: RateLimit | undefined
}

/**
 * Builds the client on a transport of its own (see `DcsTransport`) rather than an `HttpClient`:
 * what a platform layer does to send with less machinery per request (`@effect-dcs/node` signs
 * and sends with undici directly). Invalid options do not fail: every call fails with a
 * `DcsInvalidRequest` naming the option, and nothing is sent.
 *
 * @since 0.2.0
 * @category constructors
 */
export const fromTransport = (options: Options, transport: DcsTransport.Transport): Service =>
  internalService.fromBackend(httpBackend.make(transport, options))

/**
 * Builds the client on the `HttpClient` in context. Invalid options do not fail the layer: every
 * call fails with a `DcsInvalidRequest` naming the option, and nothing is sent.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (httpClient) => fromTransport(options, DcsTransport.fromHttpClient(httpClient)))

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

/**
 * A client whose every call fails with `error` after validating its input, sending nothing: what
 * a layer gives when its configuration cannot work (so the failure names the option at each call).
 *
 * @since 0.2.0
 * @category constructors
 */
export const failing = (error: DcsError): Service => internalService.fromBackend(internalService.failingBackend(error))

/**
 * Whether a value can be an endpoint: an absolute http(s) URL without credentials, query or
 * fragment (a path prefix is allowed). The one rule of the `endpoint` option, `DCS_ENDPOINT` and
 * the CLI's `--endpoint`.
 *
 * @since 0.2.0
 * @category predicates
 */
export const isEndpointUrl = (value: string): boolean => Either.isRight(validate.endpoint(value))

/**
 * An in-memory client for unit tests: no network. It validates input exactly as the live client
 * does, pages like the server, runs created analyses as the test's clock advances, can be told to
 * fail with any `DcsError`, and records the calls made (see `DcsClientTest`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerTest = (
  options: DcsClientTest.TestOptions = {}
): Layer.Layer<DcsClient | DcsClientTest.TestClient> =>
  Layer.effectContext(
    Effect.map(internalTest.make(options), ({ backend, control }) =>
      Context.make(DcsClient, internalService.fromBackend(backend)).pipe(
        Context.add(internalTest.TestClient, control)
      ))
  )

/**
 * The controls of the test layer (see `DcsClientTest.TestClient`).
 *
 * @since 0.1.0
 * @category testing
 */
export const TestClient: Context.Tag<DcsClientTest.TestClient, DcsClientTest.TestClient> = internalTest.TestClient

/**
 * @since 0.1.0
 * @category testing
 */
export type TestClient = DcsClientTest.TestClient

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

/**
 * One page of the instances of the project.
 *
 * @since 0.2.0
 * @category accessors
 */
export const listInstances = (
  request: ListInstancesRequest = {}
): Effect.Effect<ListInstancesResponse, DcsError, DcsClient> =>
  Effect.flatMap(DcsClient, (client) => client.listInstances(request))

/**
 * Every page of the instances matching the filters.
 *
 * @since 0.2.0
 * @category accessors
 */
export const streamInstancePages = (
  request: StreamInstancesRequest = {}
): Stream.Stream<DcsInstancePage, DcsError, DcsClient> =>
  Stream.unwrap(Effect.map(DcsClient, (client) => client.streamInstancePages(request)))

/**
 * Every instance matching the filters, each once.
 *
 * @since 0.2.0
 * @category accessors
 */
export const streamInstances = (
  request: StreamInstancesRequest = {}
): Stream.Stream<DcsInstance, DcsError, DcsClient> =>
  Stream.unwrap(Effect.map(DcsClient, (client) => client.streamInstances(request)))

/**
 * The nodes of an instance.
 *
 * @since 0.2.0
 * @category accessors
 */
export const listInstanceNodes = (
  request: ListInstanceNodesRequest
): Effect.Effect<ReadonlyArray<DcsInstanceNode>, DcsError, DcsClient> =>
  Effect.flatMap(DcsClient, (client) => client.listInstanceNodes(request))

/**
 * Analyses a whole instance, one node per shard, and merges the reports.
 *
 * @since 0.2.0
 * @category accessors
 */
export const analyzeInstance = (
  request: AnalyzeInstanceRequest
): Effect.Effect<InstanceAnalysis, DcsError | DcsAnalysisFailed | DcsWaitTimeout | DcsNoAnalyzableNode, DcsClient> =>
  Effect.flatMap(DcsClient, (client) => client.analyzeInstance(request))

/**
 * Analyses every instance matching the filters; one outcome per instance as it finishes.
 *
 * @since 0.2.0
 * @category accessors
 */
export const analyzeFleet = (request: AnalyzeFleetRequest = {}): Stream.Stream<FleetOutcome, DcsError, DcsClient> =>
  Stream.unwrap(Effect.map(DcsClient, (client) => client.analyzeFleet(request)))

/**
 * The newest successful analysis of an instance, or of one of its nodes, with its report.
 *
 * @example
 * ```ts
 * import { DcsClient } from "@effect-dcs/core"
 * import { Effect } from "effect"
 *
 * // The last two analyses of a node, to compare (see `@effect-dcs/report`'s `compareReports`).
 * const lastTwo = Effect.all([
 *   DcsClient.previousSuccessfulAnalysis({ instanceId: "my-instance", nodeId: "my-node" }),
 *   DcsClient.latestSuccessfulAnalysis({ instanceId: "my-instance", nodeId: "my-node" })
 * ])
 * ```
 *
 * @since 0.2.0
 * @category accessors
 */
export const latestSuccessfulAnalysis = (
  request: SuccessfulAnalysisRequest
): Effect.Effect<AnalysisResult, DcsError | DcsNoSuccessfulAnalysis, DcsClient> =>
  Effect.flatMap(DcsClient, (client) => client.latestSuccessfulAnalysis(request))

/**
 * The successful analysis before the newest one, of an instance or of one of its nodes.
 *
 * @since 0.2.0
 * @category accessors
 */
export const previousSuccessfulAnalysis = (
  request: SuccessfulAnalysisRequest
): Effect.Effect<AnalysisResult, DcsError | DcsNoSuccessfulAnalysis, DcsClient> =>
  Effect.flatMap(DcsClient, (client) => client.previousSuccessfulAnalysis(request))
