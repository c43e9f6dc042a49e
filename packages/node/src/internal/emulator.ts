/**
 * The emulator's server: routing, the gateway's checks (signature, throttling), the handlers of
 * the instances list, an instance's logical nodes and the offline key analysis resource (list,
 * create, show, delete, nodes) and fault injection.
 *
 * @since 0.1.0
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpRouter from "@effect/platform/HttpRouter"
import type * as HttpServerError from "@effect/platform/HttpServerError"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Crypto from "node:crypto"
import * as Http from "node:http"
import type * as DcsEmulator from "../DcsEmulator.js"
import {
  type InstanceFilter,
  matches,
  parseTags,
  resolveInstanceRecord,
  supportsKeyAnalysisByDefault
} from "./emulatorFleet.js"
import { resolveNodes, taskDetails, taskNodes, wireNode } from "./emulatorReports.js"
import { InstanceStore } from "./emulatorStore.js"
import * as internalTasks from "./emulatorTasks.js"
import { verifySignature } from "./signing.js"

/** @internal */
export const defaultProjectId = "9a3f5c1e7b2d4e6f8a0c1b3d5e7f9a2c"

/** @internal */
export const defaultInstanceId = "5f9057b5-c330-4ee2-8138-7e69896eeec3"

/** @internal */
export const defaultCredentials = {
  accessKeyId: "DCSEMULATORACCESSKEY",
  secretAccessKey: "DcsEmulatorSecretKeyNotASecret0000000000"
} as const

const maxRecordedRequests = 10_000

// ---------------------------------------------------------------------------------------------
// Error answers
//
// Codes and messages follow the service's documented ones where a source gives them (DCS.4230,
// DCS.4231, DCS.4232, APIGW.0301, DCS.4401); the others are the emulator's plausible choice,
// marked below, and clients must not depend on them.
// ---------------------------------------------------------------------------------------------

class ApiError extends Data.TaggedError("ApiError")<{
  readonly status: number
  readonly code: string
  readonly msg: string
}> {}

const errorBody = (code: string, msg: string) => ({ error_code: code, error_msg: msg, error_ext_msg: null })

const errorResponse = (error: ApiError): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(errorBody(error.code, error.msg), { status: error.status })

// The gateway's answer for a path or method it has no API for.
const notFound = new ApiError({
  status: 404,
  code: "APIGW.0101",
  msg: "The API does not exist or has not been published in the environment."
})

// Emulator's choice: 403 (not 404) for a project that is not the caller's, as IAM answers a
// request outside the credentials' project; the code is not confirmed by any source.
const forbiddenProject = (msg: string) => new ApiError({ status: 403, code: "DCS.4003", msg })

const instanceNotFound = new ApiError({ status: 404, code: "DCS.4401", msg: "The instance does not exist." })

const unsupported = new ApiError({ status: 400, code: "DCS.4230", msg: "Does not support offline key analysis." })

// Emulator's choice of code for a rejected query parameter or body field.
const invalidParameter = (name: string) =>
  new ApiError({ status: 400, code: "DCS.4961", msg: `Invalid parameter: ${name}` })

// Emulator's choice, with the code of an invalid parameter: a create body that is not a JSON object.
const invalidBody = new ApiError({
  status: 400,
  code: "DCS.4961",
  msg: "Invalid request body: a JSON object with node_id is expected."
})

// The documented code of an incorrect node ID (the spec's error table).
const nodeNotFound = new ApiError({ status: 400, code: "DCS.3053", msg: "Incorrect node ID." })

// Documented codes, applied where the spec infers them (unconfirmed for offline key analysis):
// a proxy holds no data; a node that is not Active, or an instance that is not RUNNING, cannot
// be backed up.
const proxyNode = new ApiError({
  status: 400,
  code: "DCS.4027",
  msg: "The operation is not supported on this node: a proxy node holds no data."
})
const nodeNotActive = new ApiError({
  status: 400,
  code: "DCS.4026",
  msg: "The operation is not allowed in the node's current state."
})
const instanceNotRunning = new ApiError({ status: 400, code: "DCS.4049", msg: "The instance is not running." })

// The documented instance-not-found code, on the endpoints added with the spec that gives it
// (the offline key analysis resource keeps DCS.4401, which its clients already see).
const instanceNotFoundDocumented = new ApiError({
  status: 404,
  code: "DCS.3022",
  msg: "This DCS instance does not exist."
})

// Emulator's choice: the logical nodes of Redis 3.0 and Memcached instances, which the service
// documents only for Redis 4.0 and later ("expect a 400 with a DCS code", unconfirmed).
const nodesUnsupported = new ApiError({
  status: 400,
  code: "DCS.4027",
  msg: "The operation is not supported by this instance: logical nodes need Redis 4.0 or later."
})

// The documented code of an invalid list parameter ("Invalid {0} in the request").
const invalidListParameter = (name: string) =>
  new ApiError({ status: 400, code: "DCS.4800", msg: `Invalid ${name} in the request.` })

const throttled = (limit: number) =>
  new ApiError({
    status: 429,
    code: "APIGW.0308",
    msg: `The throttling threshold has been reached: policy user over ratelimit,limit:${limit},time:1 second`
  })

// The messages are the emulator's; the codes are documented (Terraform retries DCS.4231 and takes
// DCS.4232 for a 404).
const alreadyRunning = new ApiError({
  status: 400,
  code: "DCS.4231",
  msg: "An offline key analysis task is already running."
})

const taskNotFound = new ApiError({
  status: 400,
  code: "DCS.4232",
  msg: "The offline key analysis task does not exist or has been deleted."
})

// Emulator's choice, for a body that could not be read (client gone, or over 10 MiB).
const unreadableBody = new ApiError({ status: 400, code: "APIGW.0201", msg: "Request error." })

const internalError = new ApiError({ status: 500, code: "DCS.5000", msg: "Internal service error." })

// The default bodies of `Status` faults; emulator's choices, after the gateway's usual answers.
const statusFaultBody = (status: number): { readonly code: string; readonly msg: string } => {
  switch (status) {
    case 429:
      return {
        code: "APIGW.0308",
        msg: "The throttling threshold has been reached: policy user over ratelimit, limit:5, time:1 second"
      }
    case 502:
      return { code: "APIGW.0202", msg: "Backend unavailable." }
    case 503:
      return { code: "DCS.5003", msg: "Service unavailable. Try again later." }
    case 504:
      return { code: "APIGW.0203", msg: "Backend timeout." }
    default:
      return status >= 500
        ? { code: "DCS.5000", msg: "Internal service error." }
        : { code: "DCS.4000", msg: "Invalid request." }
  }
}

const badGatewayPage = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

interface Settings {
  readonly latency: Duration.Duration
  readonly maxLimit: number | undefined
  readonly maxInstancesPerPage: number | undefined
  readonly insertTasksWhilePaging: number
  readonly ignoreOffset: boolean
}

const defaultSettings: Settings = {
  latency: Duration.zero,
  maxLimit: undefined,
  maxInstancesPerPage: undefined,
  insertTasksWhilePaging: 0,
  ignoreOffset: false
}

const count = (name: string, value: number): number => {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`DcsEmulator: ${name} must be an integer >= 0, got ${value}`)
  }
  return value
}

interface AnalysisSettings {
  readonly waitingFor: Duration.Duration
  readonly runningFor: Duration.Duration
  readonly failWhen: ((request: DcsEmulator.AnalysisRequest) => boolean) | undefined
}

const defaultAnalysisSettings: AnalysisSettings = {
  waitingFor: Duration.seconds(2),
  runningFor: Duration.seconds(8),
  failWhen: undefined
}

const applyAnalysisSettings = (
  current: AnalysisSettings,
  changes: Partial<DcsEmulator.AnalysisSettings>
): AnalysisSettings => ({
  waitingFor: changes.waitingFor === undefined ? current.waitingFor : Duration.decode(changes.waitingFor),
  runningFor: changes.runningFor === undefined ? current.runningFor : Duration.decode(changes.runningFor),
  failWhen: "failWhen" in changes ? changes.failWhen : current.failWhen
})

const applySettings = (current: Settings, changes: Partial<DcsEmulator.FaultSettings>): Settings => ({
  latency: changes.latency === undefined ? current.latency : Duration.decode(changes.latency),
  maxLimit: "maxLimit" in changes
    ? changes.maxLimit === undefined ? undefined : count("maxLimit", changes.maxLimit)
    : current.maxLimit,
  maxInstancesPerPage: "maxInstancesPerPage" in changes
    ? changes.maxInstancesPerPage === undefined ? undefined : count("maxInstancesPerPage", changes.maxInstancesPerPage)
    : current.maxInstancesPerPage,
  insertTasksWhilePaging: changes.insertTasksWhilePaging === undefined
    ? current.insertTasksWhilePaging
    : count("insertTasksWhilePaging", changes.insertTasksWhilePaging),
  ignoreOffset: changes.ignoreOffset ?? current.ignoreOffset
})

interface ThrottlePolicy {
  readonly requestsPerSecond: number
  readonly burst: number
  readonly retryAfter: boolean | "alternate"
}

const resolveThrottle = (throttle: DcsEmulator.Throttle | undefined): ThrottlePolicy | undefined => {
  if (throttle === undefined) return undefined
  const rate = throttle.requestsPerSecond
  if (!(Number.isFinite(rate) && rate > 0)) {
    throw new RangeError(`DcsEmulator: requestsPerSecond must be above 0, got ${rate}`)
  }
  const burst = throttle.burst ?? Math.ceil(rate)
  if (!(Number.isFinite(burst) && burst >= 1)) throw new RangeError(`DcsEmulator: burst must be >= 1, got ${burst}`)
  return { requestsPerSecond: rate, burst, retryAfter: throttle.retryAfter ?? "alternate" }
}

/** A token bucket on the emulator's clock: `take` answers whether a request may pass. */
class TokenBucket {
  private tokens: number
  private at: number | undefined = undefined
  /** How many requests were refused, for `"alternate"` Retry-After. */
  refused = 0

  constructor(readonly policy: ThrottlePolicy) {
    this.tokens = policy.burst
  }

  private refill(now: number): void {
    if (this.at !== undefined && now > this.at) {
      this.tokens = Math.min(this.policy.burst, this.tokens + (now - this.at) * this.policy.requestsPerSecond / 1000)
    }
    // A clock that goes back (a TestClock set back) refills nothing.
    this.at = Math.max(this.at ?? now, now)
  }

  /** `undefined` when the request may pass; otherwise the ms until a token is back. */
  take(now: number): number | undefined {
    this.refill(now)
    if (this.tokens >= 1) {
      this.tokens -= 1
      return undefined
    }
    this.refused++
    return Math.ceil((1 - this.tokens) * 1000 / this.policy.requestsPerSecond)
  }
}

interface MutableRecord {
  requestId: string
  method: string
  path: string
  query: string
  headers: Record<string, string>
  status: number | undefined
  errorCode: string | undefined
  fault: DcsEmulator.Fault["_tag"] | undefined
  receivedAt: number
}

interface Config {
  readonly projectId: string
  readonly accessKeyId: string
  readonly secretAccessKey: Redacted.Redacted<string>
  readonly instances: ReadonlyArray<DcsEmulator.Instance>
  readonly settings: Settings
  readonly analysis: AnalysisSettings
  readonly throttle: ThrottlePolicy | undefined
}

class State {
  instances = new Map<string, InstanceStore>()
  faults: Array<DcsEmulator.Fault> = []
  settings: Settings
  analysis: AnalysisSettings
  /** How many of the next analyses created will fail (`failNextAnalysis`). */
  failNext = 0
  recorded: Array<MutableRecord> = []
  bucket: TokenBucket | undefined = undefined

  constructor(readonly config: Config) {
    this.settings = config.settings
    this.analysis = config.analysis
    this.reset()
  }

  reset(): void {
    this.instances = new Map()
    for (const instance of this.config.instances) this.putInstance(instance)
    this.faults = []
    this.settings = this.config.settings
    this.analysis = this.config.analysis
    this.failNext = 0
    this.recorded = []
    this.bucket = this.config.throttle === undefined ? undefined : new TokenBucket(this.config.throttle)
  }

  // A Map keeps the place of a replaced key: a replaced instance keeps its place in the list.
  putInstance(instance: DcsEmulator.Instance): void {
    const nodes = resolveNodes(instance.id, instance.nodes)
    this.instances.set(
      instance.id,
      new InstanceStore(
        instance.id,
        instance.supportsKeyAnalysis ?? supportsKeyAnalysisByDefault(instance),
        nodes,
        instance.tasks ?? [],
        resolveInstanceRecord(instance, nodes)
      )
    )
  }

  /** Decided when an analysis is created: a queued failure first, then `failWhen`. */
  outcomeOf(request: DcsEmulator.AnalysisRequest): "success" | "failed" {
    if (this.failNext > 0) {
      this.failNext--
      return "failed"
    }
    return this.analysis.failWhen?.(request) === true ? "failed" : "success"
  }

  instance(id: string | undefined): InstanceStore {
    const instanceId = id ?? this.config.instances[0]!.id
    const store = this.instances.get(instanceId)
    if (store === undefined) throw new Error(`DcsEmulator: no instance "${instanceId}"`)
    return store
  }

  record(entry: MutableRecord): void {
    if (this.recorded.length >= maxRecordedRequests) this.recorded.shift()
    this.recorded.push(entry)
  }

  takeFault(request: DcsEmulator.FaultRequest): DcsEmulator.Fault | undefined {
    const index = this.faults.findIndex((fault) => fault.match === undefined || fault.match(request))
    return index === -1 ? undefined : this.faults.splice(index, 1)[0]
  }
}

const resolveConfig = (options: DcsEmulator.Options | undefined): Config => {
  const instances = options?.instances ??
    [{ id: defaultInstanceId, tasks: internalTasks.generateTasks(42) }]
  if (instances.length === 0) throw new RangeError("DcsEmulator: instances must not be empty")
  const ids = new Set(instances.map((instance) => instance.id))
  if (ids.size !== instances.length) throw new RangeError("DcsEmulator: instance ids must be unique")
  const credentials = options?.credentials ?? defaultCredentials
  return {
    projectId: options?.projectId ?? defaultProjectId,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: typeof credentials.secretAccessKey === "string"
      ? Redacted.make(credentials.secretAccessKey)
      : credentials.secretAccessKey,
    instances,
    settings: applySettings(defaultSettings, options?.faults ?? {}),
    analysis: applyAnalysisSettings(defaultAnalysisSettings, options?.analysis ?? {}),
    throttle: resolveThrottle(options?.throttle)
  }
}

// ---------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------

const splitUrl = (url: string): { readonly path: string; readonly query: string } => {
  const at = url.indexOf("?")
  return at === -1 ? { path: url, query: "" } : { path: url.slice(0, at), query: url.slice(at + 1) }
}

const headerText = (value: string | ReadonlyArray<string> | undefined): string | undefined =>
  value === undefined || typeof value === "string" ? value : value.join(", ")

// The signature is derived from the secret key: keep the access key and signed header names,
// which tests assert on, and hide the rest.
const redactHeader = (name: string, value: string): string => {
  if (name === "x-security-token") return "<redacted>"
  if (name !== "authorization") return value
  return value.startsWith("SDK-HMAC-") ? value.replace(/Signature=[^,\s]*/, "Signature=<redacted>") : "<redacted>"
}

const recordHeaders = (headers: Http.IncomingHttpHeaders): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const name of Object.keys(headers)) {
    const value = headerText(headers[name])
    if (value !== undefined) out[name] = redactHeader(name, value)
  }
  return out
}

const newRequestId = (): string => Crypto.randomBytes(16).toString("hex")

// The largest offset and limit the service's Java int accepts.
const maxInt = 2_147_483_647

const statuses: ReadonlySet<string> = new Set(["waiting", "running", "success", "failed"])

const singleParam = (params: URLSearchParams, name: string): Effect.Effect<string | undefined, ApiError> => {
  const values = params.getAll(name)
  if (values.length > 1) return Effect.fail(invalidParameter(name))
  return Effect.succeed(values[0])
}

const intParam = (params: URLSearchParams, name: string, fallback: number): Effect.Effect<number, ApiError> =>
  Effect.flatMap(singleParam(params, name), (value) => {
    if (value === undefined) return Effect.succeed(fallback)
    if (!/^\d{1,10}$/.test(value) || Number(value) > maxInt) return Effect.fail(invalidParameter(name))
    return Effect.succeed(Number(value))
  })

const createBody = (bytes: Uint8Array) =>
  Effect.gen(function*() {
    let body: unknown
    try {
      body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes))
    } catch {
      return yield* invalidBody
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) return yield* invalidBody
    const fields = body as Record<string, unknown>
    const nodeId = fields.node_id
    if (typeof nodeId !== "string" || nodeId === "") return yield* invalidParameter("node_id")
    const backupId = fields.backup_id
    // null and "" are taken for "not given", as serializers of optional fields send them.
    if (backupId !== undefined && backupId !== null && typeof backupId !== "string") {
      return yield* invalidParameter("backup_id")
    }
    return { nodeId, backupId: typeof backupId === "string" && backupId !== "" ? backupId : undefined }
  })

const listQuery = (rawQuery: string) =>
  Effect.gen(function*() {
    const params = new URLSearchParams(rawQuery)
    const offset = yield* intParam(params, "offset", 0)
    const limit = yield* intParam(params, "limit", 10)
    const status = yield* singleParam(params, "status")
    if (status !== undefined && !statuses.has(status)) return yield* invalidParameter("status")
    return { offset, limit, status }
  })

// The documented range of `limit` on the instances list.
const maxInstancesLimit = 1000

const instancesQuery = (rawQuery: string) =>
  Effect.gen(function*() {
    const params = new URLSearchParams(rawQuery)
    const single = (name: string) => Effect.mapError(singleParam(params, name), () => invalidListParameter(name))
    const integer = (name: string, fallback: number) =>
      Effect.mapError(intParam(params, name, fallback), () => invalidListParameter(name))
    const offset = yield* integer("offset", 0)
    const limit = yield* integer("limit", 10)
    if (limit < 1 || limit > maxInstancesLimit) return yield* invalidListParameter("limit")
    const tagsText = yield* single("tags")
    const tags = tagsText === undefined ? [] : parseTags(tagsText)
    if (tags === undefined) return yield* invalidListParameter("tags")
    const filter: InstanceFilter = {
      instanceId: yield* single("instance_id"),
      name: yield* single("name"),
      // As for the service's other string flags: anything but "true" means no.
      nameEqual: (yield* single("name_equal")) === "true",
      status: yield* single("status"),
      ip: yield* single("ip"),
      tags
    }
    return { offset, limit, filter }
  })

// ---------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------

const prefix = "/v2/:project_id/instances/:instance_id/offline/key-analysis"

/** The request body as received: read once, for the signature, and handed to the routes. */
class RequestBody extends Context.Tag("@effect-dcs/node/DcsEmulator/RequestBody")<RequestBody, Uint8Array>() {}

const makeRouter = (state: State) => {
  const checkProject = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const projectId = (yield* HttpRouter.params).project_id
    if (projectId !== state.config.projectId) {
      return yield* forbiddenProject(`The project ${projectId} is not the project of the credentials.`)
    }
    const headerProject = headerText(request.headers["x-project-id"])
    if (headerProject !== undefined && headerProject !== projectId) {
      return yield* forbiddenProject("The X-Project-Id header does not match the project id in the URL.")
    }
  })

  // The checks the service makes before any operation of the resource, in its order.
  const resolveInstance = Effect.gen(function*() {
    yield* checkProject
    const params = yield* HttpRouter.params
    const instance = params.instance_id === undefined ? undefined : state.instances.get(params.instance_id)
    if (instance === undefined) return yield* instanceNotFound
    if (!instance.supportsKeyAnalysis) return yield* unsupported
    return instance
  })

  const listTasks = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const instance = yield* resolveInstance
    const query = yield* listQuery(splitUrl(request.url).query)
    const settings = state.settings
    const page = instance.page(
      query.status,
      settings.ignoreOffset ? 0 : query.offset,
      settings.maxLimit === undefined ? query.limit : Math.min(query.limit, settings.maxLimit),
      yield* Clock.currentTimeMillis
    )
    // unsafeJson serializes now, before the tasks below are inserted.
    const response = HttpServerResponse.unsafeJson({
      instance_id: instance.id,
      total: page.total,
      records: page.records
    })
    if (settings.insertTasksWhilePaging > 0) {
      const now = yield* Clock.currentTimeMillis
      for (let i = 0; i < settings.insertTasksWhilePaging; i++) {
        // At the head even when the clock is behind the seeded tasks (a TestClock at 0).
        const createdAt = Math.max(now, instance.newest + 1)
        instance.insert({ id: Crypto.randomUUID(), status: "waiting", created_at: new Date(createdAt).toISOString() })
      }
    }
    return response
  })

  const createTask = Effect.gen(function*() {
    const instance = yield* resolveInstance
    const { backupId, nodeId } = yield* createBody(yield* RequestBody)
    if (instance.record.status !== "RUNNING") return yield* instanceNotRunning
    const node = instance.nodes.find((candidate) => candidate.id === nodeId)
    if (node === undefined) return yield* nodeNotFound
    if (node.role === "proxy") return yield* proxyNode
    if (node.status !== "Active") return yield* nodeNotActive
    const now = yield* Clock.currentTimeMillis
    if (instance.activeOn(node.id, now) !== undefined) return yield* alreadyRunning
    const settings = state.analysis
    // The schedule and outcome are fixed now: later changes of the settings apply to later tasks.
    const startsAt = now + Duration.toMillis(settings.waitingFor)
    const analysis = instance.create({
      id: Crypto.randomUUID(),
      nodeId: node.id,
      backupId,
      startsAt,
      finishesAt: startsAt + Duration.toMillis(settings.runningFor),
      outcome: state.outcomeOf({ instanceId: instance.id, nodeId: node.id, backupId })
    }, now)
    return HttpServerResponse.unsafeJson({ task_id: analysis.id })
  })

  // The instance's checks, then the task's.
  const resolveTask = Effect.gen(function*() {
    const instance = yield* resolveInstance
    const taskId = (yield* HttpRouter.params).task_id
    const entry = taskId === undefined ? undefined : instance.find(taskId)
    if (entry === undefined) return yield* taskNotFound
    return { instance, entry }
  })

  const showTask = Effect.gen(function*() {
    const { entry, instance } = yield* resolveTask
    return HttpServerResponse.unsafeJson(taskDetails(instance, entry, yield* Clock.currentTimeMillis))
  })

  // A body, if any, is ignored (the signature covered it). Waiting and running tasks can be
  // deleted too; the node is free for a new analysis at once.
  const deleteTask = Effect.gen(function*() {
    const { entry, instance } = yield* resolveTask
    instance.remove(entry.id)
    return HttpServerResponse.unsafeJson({ task_id: entry.id })
  })

  const listNodes = Effect.gen(function*() {
    const { entry, instance } = yield* resolveTask
    return HttpServerResponse.unsafeJson(taskNodes(instance, entry))
  })

  const listInstances = Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    yield* checkProject
    const { filter, limit, offset } = yield* instancesQuery(splitUrl(request.url).query)
    const matching = [...state.instances.values()].filter((instance) => matches(instance.record, instance.id, filter))
    const cap = state.settings.maxInstancesPerPage
    const size = cap === undefined ? limit : Math.min(limit, cap)
    return HttpServerResponse.unsafeJson({
      instance_num: matching.length,
      instances: matching.slice(offset, offset + size).map((instance) => instance.record.wire)
    })
  })

  const listLogicalNodes = Effect.gen(function*() {
    yield* checkProject
    const instanceId = (yield* HttpRouter.params).instance_id
    const instance = instanceId === undefined ? undefined : state.instances.get(instanceId)
    if (instance === undefined) return yield* instanceNotFoundDocumented
    const { engine, engineVersion, status } = instance.record
    if (engine === "Memcached" || engineVersion.startsWith("3.")) return yield* nodesUnsupported
    // An instance being created has no node information yet.
    const nodes = status === "CREATING" ? [] : instance.nodes.map((node) => wireNode(instance.id, node))
    return HttpServerResponse.unsafeJson({ instance_id: instance.id, total: nodes.length, nodes })
  })

  return HttpRouter.empty.pipe(
    HttpRouter.get("/v2/:project_id/instances", listInstances),
    HttpRouter.get("/v2/:project_id/instances/:instance_id/logical-nodes", listLogicalNodes),
    HttpRouter.get(prefix, listTasks),
    HttpRouter.post(prefix, createTask),
    HttpRouter.get(`${prefix}/:task_id`, showTask),
    HttpRouter.del(`${prefix}/:task_id`, deleteTask),
    HttpRouter.get(`${prefix}/:task_id/nodes`, listNodes)
  )
}

// ---------------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------------

const truncatedList = (instanceId: string): string =>
  JSON.stringify({
    instance_id: instanceId,
    total: 42,
    records: [{
      id: "858ee14c-2271-4489-8b82-7bda7459ae3e",
      status: "success",
      created_at: "2024-10-15T02:21:18.669Z",
      started_at: "2024-10-15T02:21:23.534Z",
      finished_at: "2024-10-15T02:21:25.588Z"
    }]
  }).slice(0, -60)

const instanceInPath = (path: string): string | undefined => /^\/v2\/[^/]+\/instances\/([^/]+)/.exec(path)?.[1]

const faultResponse = (
  fault: DcsEmulator.Fault,
  path: string,
  state: State
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest> => {
  switch (fault._tag) {
    case "Status": {
      const headers = fault.retryAfter === undefined ? undefined : { "retry-after": fault.retryAfter }
      if (fault.body !== undefined) {
        return Effect.succeed(HttpServerResponse.text(fault.body, {
          status: fault.status,
          contentType: fault.contentType ?? "application/json",
          headers
        }))
      }
      const { code, msg } = statusFaultBody(fault.status)
      return Effect.succeed(HttpServerResponse.unsafeJson(errorBody(code, msg), { status: fault.status, headers }))
    }
    case "HtmlBadGateway":
      return Effect.succeed(HttpServerResponse.text(badGatewayPage, { status: 502, contentType: "text/html" }))
    case "MalformedJson":
      return Effect.succeed(
        HttpServerResponse.text(truncatedList(instanceInPath(path) ?? state.config.instances[0]!.id), {
          contentType: "application/json"
        })
      )
    case "Body": {
      const options = { status: fault.status, contentType: fault.contentType, headers: fault.headers }
      return Effect.succeed(
        typeof fault.body === "string"
          ? HttpServerResponse.text(fault.body, options)
          : HttpServerResponse.uint8Array(fault.body, options)
      )
    }
    case "Drop":
      // Destroying the socket closes the response, which interrupts this fiber (the platform's
      // client-abort path): nothing is ever written.
      return Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
        NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
        return Effect.never
      })
    case "Stall":
      // Until the client closes the connection, or the emulator's scope closes them all.
      return Effect.never
  }
}

// ---------------------------------------------------------------------------------------------
// The app
// ---------------------------------------------------------------------------------------------

const unauthorized = (reason: string, canonicalRequest: string | undefined) =>
  new ApiError({
    status: 401,
    code: "APIGW.0301",
    msg: `Incorrect IAM authentication information: verify aksk signature fail, ${reason}` +
      (canonicalRequest === undefined ? "" : `, canonicalRequest: ${canonicalRequest.replaceAll("\n", "|")}`)
  })

const makeApp = (state: State) => {
  const router = makeRouter(state)
  const secretFor = (accessKeyId: string) =>
    accessKeyId === state.config.accessKeyId ? Redacted.value(state.config.secretAccessKey) : undefined

  // The gateway (signature) and then the service (routes).
  const api = (
    incoming: Http.IncomingMessage,
    path: string,
    query: string
  ): Effect.Effect<HttpServerResponse.HttpServerResponse, never, HttpServerRequest.HttpServerRequest> =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = yield* Effect.mapError(request.arrayBuffer, () => unreadableBody)
      const now = yield* Clock.currentTimeMillis
      const verified = verifySignature({
        method: incoming.method ?? request.method,
        path,
        rawQuery: query,
        headers: incoming.headers,
        body: new Uint8Array(body),
        secretFor,
        now
      })
      if (verified._tag === "Invalid") return yield* unauthorized(verified.reason, verified.canonicalRequest)
      // The gateway's per-user policy: after the caller is known, before the service.
      const bucket = state.bucket
      const waitMillis = bucket?.take(now)
      if (bucket !== undefined && waitMillis !== undefined) {
        const { retryAfter } = bucket.policy
        const withRetryAfter = retryAfter === "alternate" ? bucket.refused % 2 === 1 : retryAfter
        const response = errorResponse(throttled(bucket.policy.requestsPerSecond))
        return withRetryAfter
          ? HttpServerResponse.setHeader(response, "retry-after", String(Math.max(1, Math.ceil(waitMillis / 1000))))
          : response
      }
      return yield* Effect.provideService(router, RequestBody, new Uint8Array(body))
    }).pipe(
      Effect.catchTags({
        ApiError: (error) => Effect.succeed(errorResponse(error)),
        RouteNotFound: () => Effect.succeed(errorResponse(notFound))
      }),
      Effect.catchAllDefect((defect) =>
        Effect.as(
          Effect.logError("DcsEmulator: defect while answering", Cause.die(defect)),
          errorResponse(internalError)
        )
      )
    )

  return Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const incoming = NodeHttpServerRequest.toIncomingMessage(request)
    const method = incoming.method ?? request.method
    // Exactly as received: the signature covers the raw path and query.
    const { path, query } = splitUrl(incoming.url ?? request.url)
    const requestId = newRequestId()
    const entry: MutableRecord = {
      requestId,
      method,
      path,
      query,
      headers: recordHeaders(incoming.headers),
      status: undefined,
      errorCode: undefined,
      fault: undefined,
      receivedAt: yield* Clock.currentTimeMillis
    }
    state.record(entry)

    const latency = state.settings.latency
    if (Duration.greaterThan(latency, Duration.zero)) yield* Effect.sleep(latency)

    const fault = state.takeFault({ method, path, query })
    entry.fault = fault?._tag
    const response = fault === undefined ? yield* api(incoming, path, query) : yield* faultResponse(fault, path, state)
    entry.status = response.status
    entry.errorCode = errorCodeOf(response)
    return fault?._tag === "Body" && fault.withoutRequestId === true
      ? response
      : HttpServerResponse.setHeader(response, "x-request-id", requestId)
  }).pipe(Effect.interruptible)
}

const errorCodeOf = (response: HttpServerResponse.HttpServerResponse): string | undefined => {
  if (response.status < 400 || response.body._tag !== "Uint8Array") return undefined
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(response.body.body))
    return typeof parsed === "object" && parsed !== null && "error_code" in parsed &&
        typeof parsed.error_code === "string"
      ? parsed.error_code
      : undefined
  } catch {
    return undefined
  }
}

const urlHost = (host: string): string =>
  host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "[::1]" : host.includes(":") ? `[${host}]` : host

/** @internal */
export const make = (
  options?: DcsEmulator.Options
): Effect.Effect<DcsEmulator.DcsEmulator["Type"], HttpServerError.ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const config = resolveConfig(options)
    const state = new State(config)
    const host = options?.host ?? "127.0.0.1"
    const server = Http.createServer()
    const httpServer = yield* NodeHttpServer.make(() => server, { host, port: options?.port ?? 0 })
    // Runs before the server's own finalizer, whose close() would otherwise wait for stalled and
    // kept-alive connections; closing them also interrupts the fibers still answering on them.
    yield* Effect.addFinalizer(() => Effect.sync(() => server.closeAllConnections()))
    yield* httpServer.serve(makeApp(state))
    const port = httpServer.address._tag === "TcpAddress" ? httpServer.address.port : 0

    const withState = <A>(f: () => A): Effect.Effect<A> => Effect.sync(f)
    // The server's clock (the one `make` ran with), so that accessors see what requests see.
    const clock = yield* Effect.clock
    return {
      url: `http://${urlHost(host)}:${port}`,
      projectId: config.projectId,
      instanceId: config.instances[0]!.id,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      requests: withState(() => state.recorded.map((entry): DcsEmulator.RecordedRequest => ({ ...entry }))),
      clearRequests: withState(() => {
        state.recorded = []
      }),
      injectFaults: (...faults) =>
        withState(() => {
          state.faults.push(...faults)
        }),
      pendingFaults: withState(() => state.faults.slice()),
      setFaultSettings: (settings) =>
        withState(() => {
          state.settings = applySettings(state.settings, settings)
        }),
      faultSettings: withState(() => ({ ...state.settings })),
      addTasks: (tasks, addOptions) =>
        withState(() => {
          const instance = state.instance(addOptions?.instanceId)
          for (const task of tasks) instance.insert(task)
        }),
      tasks: (instanceId) => withState(() => state.instance(instanceId).all(clock.unsafeCurrentTimeMillis())),
      nodes: (instanceId) => withState(() => state.instance(instanceId).nodes),
      setAnalysisSettings: (settings) =>
        withState(() => {
          state.analysis = applyAnalysisSettings(state.analysis, settings)
        }),
      analysisSettings: withState(() => ({ ...state.analysis })),
      failNextAnalysis: withState(() => {
        state.failNext++
      }),
      putInstance: (instance) =>
        withState(() => {
          state.putInstance(instance)
        }),
      instances: withState(() => [...state.instances.values()].map((instance) => instance.record.wire)),
      setThrottle: (throttle) =>
        withState(() => {
          const policy = resolveThrottle(throttle)
          state.bucket = policy === undefined ? undefined : new TokenBucket(policy)
        }),
      throttle: withState(() => state.bucket?.policy),
      reset: withState(() => state.reset())
    }
  })
