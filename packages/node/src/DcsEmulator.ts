/**
 * A local emulator of the Huawei Cloud DCS offline key analysis API: a real HTTP server on a
 * loopback port that checks SDK-HMAC-SHA256 signatures like the API gateway, answers the wire
 * format of the service, and injects faults on demand (latency, throttling, 5xx, HTML from a proxy,
 * dropped or stalled connections, malformed or hostile bodies, pages that shift while a client
 * pages through them).
 *
 * Use it to test programs against the API without a cloud account, much like LocalStack:
 *
 * ```ts
 * import { DcsEmulator } from "@effect-dcs/node/DcsEmulator"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* DcsEmulator
 *   // point the client at emulator.url with emulator.credentials and emulator.projectId
 *   const [master] = yield* emulator.nodes() // node ids to create analyses on
 *   yield* emulator.injectFaults({ _tag: "Status", status: 503, retryAfter: "1" })
 * }).pipe(Effect.provide(DcsEmulator.layer({ instances: [{ id: "my-instance" }] })))
 * ```
 *
 * ## The fleet
 *
 * - `GET /v2/{project_id}/instances`: the instances' records (every field of the service's
 *   `InstanceListInfo`, with its loose types: `node_port` and `capacity_minor` strings,
 *   `enterprise_project_id` sometimes a number, `no_password_access` a string or a boolean), in
 *   the order given. Filters `instance_id`, `name` (substring; exact with `name_equal=true`),
 *   `status`, `ip`, `tags=k=v,k2=v2` (all must match); `offset` and `limit` (1 to 1000, default
 *   10). `instance_num` counts every match; a page may carry fewer than `limit` asked
 *   (`maxInstancesPerPage`). A bad `offset`, `limit` or `tags` is 400 `DCS.4800`.
 * - `GET /v2/{project_id}/instances/{instance_id}/logical-nodes`: `{instance_id, total, nodes}`
 *   with the spec's `NodesInfoResp` fields; no nodes while `CREATING`; 404 `DCS.3022` for an
 *   unknown instance; 400 `DCS.4027` for Redis 3.0 and Memcached (unconfirmed on the service).
 * - {@link generateFleet} makes a realistic, seeded fleet; each shard's nodes report that
 *   shard's keys.
 * - `throttle` (and `setThrottle`): the gateway's per-user rate limit, a token bucket on the
 *   `Clock`, answering 429 `APIGW.0308`, with or without `Retry-After`.
 *
 * ## The resource
 *
 * Every operation under `/v2/{project_id}/instances/{instance_id}/offline/key-analysis`, each
 * behind the same checks (signature, project, instance, `DCS.4230`) and fault injection:
 *
 * - `GET`: the list, newest first, with `offset`, `limit` and `status`.
 * - `POST` `{"node_id", "backup_id"?}`: starts an analysis of one node of the instance and answers
 *   `{"task_id"}`. `DCS.4231` while another analysis waits or runs on that node; `DCS.3053` for a
 *   node the instance does not have; `DCS.4027` for a proxy node; `DCS.4026` for a node that is
 *   not `Active`; `DCS.4049` for an instance that is not `RUNNING`; `DCS.4961` for a body that is
 *   not a JSON object with a non-empty string `node_id` (and a string `backup_id`, if any; `null`
 *   and `""` mean none).
 * - `GET /{task_id}`: the details (no status, as on the service); the report once the task has
 *   succeeded: the instance's data when the task finished (see {@link reportAt}), so that
 *   successive analyses of an instance compare as real ones do.
 * - `DELETE /{task_id}`: removes the task, whatever its status; `{"task_id"}`. A body is ignored.
 * - `GET /{task_id}/nodes`: `{"nodes": [{id, name, group_name, node_ipv6}]}`, the task's node.
 * - An unknown (or deleted) task id: 400 `DCS.4232`.
 *
 * An analysis created through the API moves with the `Clock`: `waiting` for
 * `AnalysisSettings.waitingFor` (default 2 s), `running` for `runningFor` (default 8 s), then
 * `success`, or `failed` when told so (`failNextAnalysis`, `failWhen`). Its status is computed on
 * each read, so under a `TestClock`, `TestClock.adjust` moves it; nothing runs in the background.
 * Tasks given as data (`Instance.tasks`, `addTasks`) keep their status, never block a new
 * analysis, and are shown like the others: a node of the instance picked from the task id, and,
 * when their status is `success`, the report at their `finished_at` (or `created_at`; without
 * either, one generated from the task id).
 *
 * The emulator reads the time from Effect's `Clock` (to check `X-Sdk-Date`, to date the tasks it
 * creates and to move them along) and sleeps with it (added latency). Under `it.effect` the
 * `TestClock` starts at 0: sign requests with the same clock, or run the test with `it.live`.
 *
 * @since 0.1.0
 */
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/emulator.js"
import * as internalFleet from "./internal/emulatorFleet.js"
import * as internalReports from "./internal/emulatorReports.js"
import * as internalTasks from "./internal/emulatorTasks.js"

/**
 * A task as the service sends it in a list response. Extra fields are sent as they are, so tests
 * can serve fields the official models do not know.
 *
 * @since 0.1.0
 * @category models
 */
export interface WireTask {
  readonly id: string
  readonly status: string
  readonly created_at?: string | null
  readonly started_at?: string | null
  readonly finished_at?: string | null
  readonly [key: string]: unknown
}

/**
 * How an instance is deployed: one node (`single`), a master and replicas (`ha`), a Redis
 * Cluster of shards (`cluster`), or shards behind proxies (`proxy`). The service shows it only in
 * ShowInstance, not in the list: the emulator uses it for defaults (spec code, `ip`).
 *
 * @since 0.2.0
 * @category models
 */
export type CacheMode = "single" | "ha" | "cluster" | "proxy"

/**
 * A DCS instance of the emulator: its id, tasks and nodes, and the record
 * `GET /v2/{project_id}/instances` lists for it. Every record field has a default (a running
 * Redis 5.0 master/standby instance of 1 GB named `dcs-<first 4 characters of the id>`);
 * `generateFleet` fills them all in.
 *
 * `supportsKeyAnalysis: false` makes the instance answer like a Redis 3.0 or Memcached instance:
 * 400 `DCS.4230` on the offline key analysis resource. It defaults to `false` for `engine:
 * "Memcached"` and `engineVersion` 3.x, `true` otherwise.
 *
 * @since 0.1.0
 * @category models
 */
export interface Instance {
  readonly id: string
  readonly tasks?: ReadonlyArray<WireTask> | undefined
  /** Default: `false` for Memcached and Redis 3.x, `true` otherwise. */
  readonly supportsKeyAnalysis?: boolean | undefined
  /**
   * The nodes analyses can run on. Default: a master and a slave of `group-0`, with UUID ids
   * derived from the instance id (the same id gives the same nodes). Ids must be unique.
   */
  readonly nodes?: ReadonlyArray<Node> | undefined
  /** Default `dcs-<first 4 characters of the id>`. @since 0.2.0 */
  readonly name?: string | undefined
  /** `Redis` (the default) or `Memcached`. @since 0.2.0 */
  readonly engine?: "Redis" | "Memcached" | undefined
  /** Default `"5.0"` (`""` for Memcached, whose value the service's docs do not give). @since 0.2.0 */
  readonly engineVersion?: string | undefined
  /** Default: implied by the nodes (proxies: `proxy`; several groups: `cluster`; one node: `single`). @since 0.2.0 */
  readonly cacheMode?: CacheMode | undefined
  /**
   * Default `RUNNING`. Any text is served (the service's set is open); an analysis can be created
   * only on a `RUNNING` instance (`DCS.4049` otherwise); `CREATING` ones list no nodes.
   *
   * @since 0.2.0
   */
  readonly status?: string | undefined
  /** Default `normal`. @since 0.2.0 */
  readonly subStatus?: string | undefined
  /** In GB, default 1. Below 1 GB it is sent as the service does: `capacity: 0` and `capacity_minor: ".125"`. @since 0.2.0 */
  readonly capacity?: number | undefined
  /** In MB. Default: the capacity. @since 0.2.0 */
  readonly maxMemory?: number | undefined
  /** In MB. Default: a share of `maxMemory` derived from the id (0 while `CREATING`). @since 0.2.0 */
  readonly usedMemory?: number | undefined
  /** Default: a flavor code of the service's form, from engine, version, mode and capacity. @since 0.2.0 */
  readonly specCode?: string | undefined
  /** Default: the master's IP; a cluster's masters' IPs, comma-separated, as the service sends them. @since 0.2.0 */
  readonly ip?: string | undefined
  /** Default 6379 (11211 for Memcached). @since 0.2.0 */
  readonly port?: number | undefined
  /** @since 0.2.0 */
  readonly domainName?: string | undefined
  /** ISO-8601 with milliseconds; default derived from the id. @since 0.2.0 */
  readonly createdAt?: string | undefined
  /** Sent as `[{key, value}]`. Default none. @since 0.2.0 */
  readonly tags?: Readonly<Record<string, string>> | undefined
  /** Default `"0"`. A number is sent as a number, as the service sometimes does. @since 0.2.0 */
  readonly enterpriseProjectId?: string | number | undefined
  /** Default: from engine, version and mode. @since 0.2.0 */
  readonly features?: Readonly<Record<string, boolean>> | undefined
  /** Default `"false"`. Documented as a string; a boolean is sent as a JSON boolean, as some answers are. @since 0.2.0 */
  readonly noPasswordAccess?: string | boolean | undefined
  /** Default `x86_64`. @since 0.2.0 */
  readonly cpuType?: string | undefined
  /** Default: the nodes' AZs. @since 0.2.0 */
  readonly azCodes?: ReadonlyArray<string> | undefined
  /** @since 0.2.0 */
  readonly description?: string | undefined
  /**
   * Record fields sent as they are, over the generated ones: for tests that serve what no model
   * knows, or a field of an unexpected type (`publicip_id: {}`, a tag key that is a number).
   *
   * @since 0.2.0
   */
  readonly extraFields?: Readonly<Record<string, unknown>> | undefined
}

/**
 * A node of an instance. Missing fields get defaults: name `redis-<first 4 characters of the
 * instance id>-000<n>`, group `group-0`, a private IPv4 address derived from the instance id, no
 * IPv6 (`""`), role `master` for the first node and `slave` for the others, status `Active`, port
 * 6379, AZ `ap-southeast-1a`, and a logical node id and group id derived from the instance.
 *
 * A `proxy` node holds no data: an analysis of it is refused (`DCS.4027`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Node {
  readonly id: string
  readonly name?: string | undefined
  readonly groupName?: string | undefined
  readonly ip?: string | undefined
  readonly ipv6?: string | undefined
  readonly role?: "master" | "slave" | "proxy" | undefined
  /** @since 0.2.0 */
  readonly logicalNodeId?: string | undefined
  /** The shard's id. @since 0.2.0 */
  readonly groupId?: string | undefined
  /** `Active` (the default), `Inactive` (faulty), `Creating`…; an analysis needs `Active` (`DCS.4026`). @since 0.2.0 */
  readonly status?: string | undefined
  /** @since 0.2.0 */
  readonly azCode?: string | undefined
  /** Sent as a string (`node_port`), as the service does. @since 0.2.0 */
  readonly port?: number | undefined
  /**
   * What every successful analysis of this node reports; nodes of one shard share their data, so
   * give them the same. Default: a report generated from the task id (see `generateReport`).
   *
   * @since 0.2.0
   */
  readonly report?: KeyAnalysisReport | undefined
}

/**
 * A node with its defaults applied.
 *
 * @since 0.1.0
 * @category models
 */
export interface ResolvedNode {
  readonly id: string
  readonly name: string
  readonly groupName: string
  readonly ip: string
  /** `""` when the node has no IPv6 address. */
  readonly ipv6: string
  readonly role: "master" | "slave" | "proxy"
  /** @since 0.2.0 */
  readonly logicalNodeId: string
  /** @since 0.2.0 */
  readonly groupId: string
  /** @since 0.2.0 */
  readonly status: string
  /** @since 0.2.0 */
  readonly azCode: string
  /** @since 0.2.0 */
  readonly port: number
  /** `undefined`: generated from the task id. @since 0.2.0 */
  readonly report: KeyAnalysisReport | undefined
}

/**
 * A throttling policy of the API gateway: a token bucket on the emulator's `Clock`, refilled at
 * `requestsPerSecond` and holding up to `burst` requests. A signed request that finds the bucket
 * empty is answered 429 `APIGW.0308` ("The throttling threshold has been reached: policy user
 * over ratelimit,limit:<requestsPerSecond>,time:1 second"). Requests that consume a fault, or fail
 * the signature check, take no token.
 *
 * @since 0.2.0
 * @category models
 */
export interface Throttle {
  /** Above 0. */
  readonly requestsPerSecond: number
  /** At least 1. Default: `requestsPerSecond` (rounded up). */
  readonly burst?: number | undefined
  /**
   * Whether a 429 carries `Retry-After` (whole seconds until a token is back, at least 1): `true`,
   * `false`, or `"alternate"` (the default: every other 429, as whether the gateway sends it is
   * unconfirmed and clients must handle both).
   */
  readonly retryAfter?: boolean | "alternate" | undefined
}

/**
 * What `generateFleet` makes.
 *
 * @since 0.2.0
 * @category models
 */
export interface FleetOptions {
  /** Default 1. */
  readonly seed?: number | undefined
  /** How many instances. Default 40. */
  readonly size?: number | undefined
  /** Epoch ms; the newest instance was created about a minute before. Default `2024-10-15T02:21:18.669Z`. */
  readonly now?: number | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export type KeyType = "string" | "list" | "set" | "zset" | "hash"

/**
 * The report fields of Show's answer, on the wire (snake_case), as {@link generateReport} makes them.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyAnalysisReport {
  readonly total_bytes: number
  readonly total_num: number
  readonly largest_key_prefixes: ReadonlyArray<{
    readonly key_prefix: string
    readonly type: KeyType
    readonly bytes: number
    readonly num: number
  }>
  readonly largest_keys: ReadonlyArray<{
    readonly key: string
    readonly type: KeyType
    readonly bytes: number
    readonly num_of_elem: number
  }>
  readonly type_bytes: ReadonlyArray<{ readonly type: KeyType; readonly bytes: number }>
  readonly type_num: ReadonlyArray<{ readonly type: KeyType; readonly num: number }>
}

/**
 * What an analysis was created for, as `failWhen` sees it.
 *
 * @since 0.1.0
 * @category models
 */
export interface AnalysisRequest {
  readonly instanceId: string
  readonly nodeId: string
  /** `undefined` for a `new_backup` analysis. */
  readonly backupId: string | undefined
}

/**
 * How analyses created through the API move along. They are read when an analysis is created:
 * changing them affects the analyses created afterwards.
 *
 * @since 0.1.0
 * @category models
 */
export interface AnalysisSettings {
  /** From creation to start (`waiting`). Default 2 seconds; `Duration.infinity` never starts. */
  readonly waitingFor: Duration.DurationInput
  /** From start to finish (`running`). Default 8 seconds; `Duration.infinity` never finishes. */
  readonly runningFor: Duration.DurationInput
  /**
   * `true` makes the analysis end `failed` rather than `success`. Default: none, every analysis
   * succeeds (unless `failNextAnalysis` says otherwise). A throw is answered as a 500.
   */
  readonly failWhen: ((request: AnalysisRequest) => boolean) | undefined
}

/**
 * The emulator's only credentials; requests signed with any other access key are rejected.
 *
 * @since 0.1.0
 * @category models
 */
export interface Credentials {
  readonly accessKeyId: string
  readonly secretAccessKey: string | Redacted.Redacted<string>
}

/**
 * Settings that stay in force until changed (see `Fault` for one-shot faults).
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultSettings {
  /** Added before every answer, faults included. Default zero. */
  readonly latency: Duration.DurationInput
  /** The most records a task list response carries, whatever `limit` asks for; `undefined` for no cap (the default). */
  readonly maxLimit: number | undefined
  /**
   * The most instances a `GET /v2/{project_id}/instances` page carries, whatever `limit` asks for
   * (the service's pages may be smaller than asked); `undefined` for no cap (the default).
   *
   * @since 0.2.0
   */
  readonly maxInstancesPerPage: number | undefined
  /** After each successful list response, this many new `waiting` tasks are created at the head. Default 0. */
  readonly insertTasksWhilePaging: number
  /** Serve every list request from offset 0, like a broken server. Default `false`. */
  readonly ignoreOffset: boolean
}

/**
 * The request a fault is offered to.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultRequest {
  readonly method: string
  /** The raw path, without the query. */
  readonly path: string
  /** The raw query, without `?`. */
  readonly query: string
}

/**
 * What every fault may carry: which requests it applies to (default: the next request).
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultMatch {
  readonly match?: ((request: FaultRequest) => boolean) | undefined
}

/**
 * One scripted fault, consumed by the next request it matches (queued faults are tried in order;
 * a request consumes at most one). Faults come before authentication and routing, as a proxy's or
 * gateway's faults do, and after the added latency.
 *
 * - `Status`: that status with a JSON error body (or `body` as it is), and `Retry-After: retryAfter`
 *   when given (seconds or an HTTP date, sent untouched).
 * - `HtmlBadGateway`: 502 with an nginx-like `text/html` page.
 * - `Drop`: the connection is destroyed without an answer.
 * - `Stall`: no answer until the client gives up or the emulator stops.
 * - `MalformedJson`: 200 `application/json` with a truncated list body.
 * - `Body`: any raw answer, for hostile-response tests; `withoutRequestId` leaves out `X-Request-Id`.
 *
 * @since 0.1.0
 * @category models
 */
export type Fault =
  | StatusFault
  | HtmlBadGatewayFault
  | DropFault
  | StallFault
  | MalformedJsonFault
  | BodyFault

/**
 * @since 0.1.0
 * @category models
 */
export interface StatusFault extends FaultMatch {
  readonly _tag: "Status"
  readonly status: number
  readonly retryAfter?: string | undefined
  readonly body?: string | undefined
  /** Default `application/json`. */
  readonly contentType?: string | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface HtmlBadGatewayFault extends FaultMatch {
  readonly _tag: "HtmlBadGateway"
}

/**
 * @since 0.1.0
 * @category models
 */
export interface DropFault extends FaultMatch {
  readonly _tag: "Drop"
}

/**
 * @since 0.1.0
 * @category models
 */
export interface StallFault extends FaultMatch {
  readonly _tag: "Stall"
}

/**
 * @since 0.1.0
 * @category models
 */
export interface MalformedJsonFault extends FaultMatch {
  readonly _tag: "MalformedJson"
}

/**
 * @since 0.1.0
 * @category models
 */
export interface BodyFault extends FaultMatch {
  readonly _tag: "Body"
  readonly status: number
  readonly contentType: string
  readonly body: string | Uint8Array
  readonly headers?: Readonly<Record<string, string>> | undefined
  readonly withoutRequestId?: boolean | undefined
}

/**
 * A request the emulator received, for assertions in tests. The signature in `authorization` and
 * the whole `x-security-token` are redacted.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedRequest {
  /** The `X-Request-Id` the emulator answered (or would have answered) with. */
  readonly requestId: string
  readonly method: string
  /** The raw path, without the query. */
  readonly path: string
  /** The raw query, without `?`. */
  readonly query: string
  /** Lowercase names; repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>
  /** The status answered; `undefined` while the request is pending, and for a dropped or stalled one. */
  readonly status: number | undefined
  /** The `error_code` answered, if any. */
  readonly errorCode: string | undefined
  /** The fault the request consumed, if any. */
  readonly fault: Fault["_tag"] | undefined
  /** Epoch ms from the emulator's `Clock`. */
  readonly receivedAt: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Default `defaultProjectId`. */
  readonly projectId?: string | undefined
  /** Default `defaultCredentials`. */
  readonly credentials?: Credentials | undefined
  /** Default: one instance, `defaultInstanceId`, with 42 generated tasks. The first one is `instanceId`. */
  readonly instances?: ReadonlyArray<Instance> | undefined
  readonly faults?: Partial<FaultSettings> | undefined
  readonly analysis?: Partial<AnalysisSettings> | undefined
  /** Default: none, every request is answered. @since 0.2.0 */
  readonly throttle?: Throttle | undefined
  /** Default `127.0.0.1`. */
  readonly host?: string | undefined
  /** Default 0: a free port. */
  readonly port?: number | undefined
}

/**
 * The default project id: a fixed 32-hex-digit id.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultProjectId: string = internal.defaultProjectId

/**
 * The default instance id (the one in the API page's example).
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultInstanceId: string = internal.defaultInstanceId

/**
 * The default credentials. They are not secrets: they open nothing but an emulator.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultCredentials: { readonly accessKeyId: string; readonly secretAccessKey: string } =
  internal.defaultCredentials

/**
 * A running emulator.
 *
 * @since 0.1.0
 * @category tags
 */
export class DcsEmulator extends Context.Tag("@effect-dcs/node/DcsEmulator")<DcsEmulator, {
  /** e.g. `http://127.0.0.1:54321`, without a trailing slash. */
  readonly url: string
  readonly projectId: string
  /** The first instance. */
  readonly instanceId: string
  readonly credentials: {
    readonly accessKeyId: string
    readonly secretAccessKey: Redacted.Redacted<string>
  }
  /** The requests received so far, oldest first (at most the last 10,000). */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly clearRequests: Effect.Effect<void>
  /** Queues one-shot faults behind those already queued. */
  readonly injectFaults: (...faults: ReadonlyArray<Fault>) => Effect.Effect<void>
  /** The faults not consumed yet, in order. */
  readonly pendingFaults: Effect.Effect<ReadonlyArray<Fault>>
  /**
   * Changes the settings given. `maxLimit: undefined` removes the cap; other keys set to
   * `undefined` stay as they are. An invalid value (a negative count) is a defect.
   */
  readonly setFaultSettings: (settings: Partial<FaultSettings>) => Effect.Effect<void>
  readonly faultSettings: Effect.Effect<FaultSettings>
  /** Adds tasks to an instance (default: the first), each at its place by `created_at`. */
  readonly addTasks: (
    tasks: ReadonlyArray<WireTask>,
    options?: { readonly instanceId?: string | undefined }
  ) => Effect.Effect<void>
  /** An instance's tasks (default: the first), newest first, as a list request would show them now. */
  readonly tasks: (instanceId?: string) => Effect.Effect<ReadonlyArray<WireTask>>
  /** An instance's nodes (default: the first), the ids `POST` accepts as `node_id`. */
  readonly nodes: (instanceId?: string) => Effect.Effect<ReadonlyArray<ResolvedNode>>
  /**
   * Changes the settings given, for the analyses created from now on. `failWhen: undefined`
   * removes it; other keys set to `undefined` stay as they are.
   */
  readonly setAnalysisSettings: (settings: Partial<AnalysisSettings>) => Effect.Effect<void>
  readonly analysisSettings: Effect.Effect<{
    readonly waitingFor: Duration.Duration
    readonly runningFor: Duration.Duration
    readonly failWhen: ((request: AnalysisRequest) => boolean) | undefined
  }>
  /** The next analysis created (on any instance and node) ends `failed`; each call fails one more. */
  readonly failNextAnalysis: Effect.Effect<void>
  /** Adds an instance (last in the list), or replaces the one with the same id (in its place). */
  readonly putInstance: (instance: Instance) => Effect.Effect<void>
  /**
   * The instances' records, in the list's order, as `GET /v2/{project_id}/instances` would send
   * them without filters.
   *
   * @since 0.2.0
   */
  readonly instances: Effect.Effect<ReadonlyArray<Readonly<Record<string, unknown>>>>
  /**
   * Turns throttling on with this policy (a full bucket), or off with `undefined`. An invalid
   * policy (a rate not above 0, a burst below 1) is a defect.
   *
   * @since 0.2.0
   */
  readonly setThrottle: (throttle: Throttle | undefined) => Effect.Effect<void>
  /** The throttling policy in force, if any. @since 0.2.0 */
  readonly throttle: Effect.Effect<Throttle | undefined>
  /**
   * Back to the state at start: instances, tasks and settings of the options; no analyses created
   * through the API, no queued failures, no faults, no requests.
   */
  readonly reset: Effect.Effect<void>
}>() {
  /**
   * `layer`, reachable from the tag: `Effect.provide(DcsEmulator.layer())`.
   *
   * @since 0.1.0
   */
  static readonly layer = (options?: Options): Layer.Layer<DcsEmulator> => layer(options)
}

/**
 * Starts an emulator for the life of the scope: the server stops, and every open connection is
 * closed, when the scope closes. Fails with `ServeError` when it cannot listen (e.g. a port in use).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (
  options?: Options
) => Effect.Effect<DcsEmulator["Type"], HttpServerError.ServeError, Scope.Scope> = internal.make

/**
 * An emulator for the life of the layer, on a free loopback port unless told otherwise. A server
 * that cannot listen is a defect here; use `make` to handle `ServeError`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<DcsEmulator> =>
  Layer.orDie(Layer.scoped(DcsEmulator, internal.make(options)))

/**
 * Deterministic, realistic tasks, newest first: the same count, seed and `now` give the same tasks.
 * UUID ids; created minutes to hours apart, the newest a minute or two before `now` (default
 * `2024-10-15T02:21:18.669Z`), started 2 to 8 s after creation and finished 1 to 30 s later;
 * mostly `success`, some `failed`; from 10 tasks on, the newest are a few `waiting` ones then one
 * `running` one, whose missing time fields are absent, `null` or `""`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateTasks: (
  count: number,
  options?: { readonly seed?: number | undefined; readonly now?: number | undefined }
) => ReadonlyArray<WireTask> = internalTasks.generateTasks

/**
 * The report of a task that succeeded, generated from a seed: its task id, or for a node given a
 * `report`, anything (`generateFleet` uses the instance and shard). The same seed gives the same report:
 * the 20 biggest keys by bytes, descending (strings of 1 to 40 MB like `session:user:48213`, lists
 * like `queue:orders` with up to millions of elements, zsets, hashes, sets); key prefixes such as
 * `session:`, `cache:product:` or `queue:`, grouped by type (string, list, set, zset, hash) and by
 * key count within a type; bytes and key counts per type. Per type, the listed prefixes and big
 * keys fit in the type's totals; `total_bytes` and `total_num` are the sums over the types, and
 * `total_bytes` is always above 2^31 (about 10 to 40 GiB).
 *
 * @since 0.1.0
 * @category constructors
 */
export const generateReport: (
  seed: string,
  options?: {
    /**
     * A shard of a cluster (index from 0, and the shard count): the report lists only the big
     * keys whose name hashes to that shard, so the shards' reports never share a key.
     *
     * @since 0.2.0
     */
    readonly shard?: { readonly index: number; readonly count: number } | undefined
  }
) => KeyAnalysisReport = internalReports.generateReport

/**
 * A deterministic, realistic fleet: the same options give the same instances, and a smaller fleet
 * of a seed is a prefix of a bigger one. Newest first; the first twelve are one of each kind, so
 * even a small fleet has them all:
 *
 * 1. Redis 5.0 `ha`; 2. Redis 5.0 `cluster` (its biggest key on its second shard, `group-1`);
 * 3. Redis 6.0 `single` of 0.5 GB, `no_password_access` as a JSON boolean; 4. Redis 4.0 `proxy`
 * (shards and proxy nodes); 5. Redis 6.0 `ha`, `enterprise_project_id` as the number 0;
 * 6. Redis 3.0 `ha` (`DCS.4230`); 7. Memcached (`DCS.4230`); 8. `CREATING` (no nodes yet);
 * 9. Redis 6.0 `cluster`; 10. `FROZEN`; 11. `ERROR` `single`; 12. Redis 4.0 `ha` of 0.125 GB.
 *
 * The others are drawn by weight: mostly running Redis 4.0–6.0 master/standby, then clusters (3 to
 * 6 shards of a master and a replica), proxy clusters (3 or 4 shards, 2 or 3 proxies), single
 * nodes, Redis 3.0, Memcached, and a few `CREATING`, `FROZEN`, `ERROR`, `RESTARTING` and
 * `EXTENDING` ones. Names like `checkout-sessions-07` (unique), tags `env` and `team` (some
 * `owner`; every seventh instance none), node ids of 32 hex digits, node names like
 * `(replica)10.3.7.11`. Each shard's nodes carry the shard's report (generated from the instance
 * and shard, keys hashed to one shard); every cluster's biggest key is on one shard drawn from the
 * seed. Running instances that support analysis carry up to three past tasks.
 *
 * @since 0.2.0
 * @category constructors
 */
export const generateFleet: (options?: FleetOptions) => ReadonlyArray<Instance> = internalFleet.generateFleet

/**
 * The report of an analysis of an instance that finished at `finishedAt` (epoch ms), as Show
 * answers it: the instance's data at that time. The same instance always has the same kinds of
 * keys; as time passes key counts and big keys grow, new big keys appear (one prefix leaks keys,
 * the big keys of a list prefix bloat), and each prefix is cleaned up every 20 to 40 days. The
 * invariants of {@link generateReport} hold.
 *
 * @since 0.2.0
 * @category constructors
 */
export const reportAt: (instanceId: string, finishedAt: number) => KeyAnalysisReport = internalReports.reportAt
