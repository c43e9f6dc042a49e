/**
 * Input validation, shared by every layer so the live and the test client reject exactly the
 * same input, before anything is sent.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import type {
  AnalysisOptions,
  AnalyzeFleetRequest,
  AnalyzeInstanceRequest,
  AnalyzeKeysRequest,
  CreateOfflineKeyAnalysisRequest,
  InstanceFilters,
  ListInstanceNodesRequest,
  ListInstancesRequest,
  ListOfflineKeyAnalysisTasksRequest,
  OnAlreadyRunning,
  StreamInstancesRequest,
  StreamOfflineKeyAnalysisTasksRequest,
  TaskRequest,
  WaitForOfflineKeyAnalysisTaskRequest,
  WaitOptions
} from "../DcsClient.js"
import { DcsInvalidRequest } from "../DcsError.js"
import type { NodeChoice } from "../InstanceAnalysis.js"
import type { OfflineKeyAnalysisStatus } from "../OfflineKeyAnalysis.js"
import * as defaults from "./defaults.js"
import * as validate from "./validate.js"

/** A list call that passed validation. @internal */
export interface ListQuery {
  readonly instanceId: string
  readonly offset?: number | undefined
  readonly limit?: number | undefined
  readonly status?: OfflineKeyAnalysisStatus | undefined
}

/** @internal */
export interface ValidList {
  readonly query: ListQuery
  readonly instanceSegment: string
}

/** A stream call that passed validation. @internal */
export interface ValidStream {
  readonly instanceId: string
  readonly instanceSegment: string
  readonly status: OfflineKeyAnalysisStatus | undefined
  readonly pageSize: number
  readonly startOffset: number
  readonly concurrency: number
}

/** A task call that passed validation: ids as given and as encoded path segments. @internal */
export interface TaskInput {
  readonly instanceId: string
  readonly instanceSegment: string
  readonly taskId: string
  readonly taskSegment: string
}

/** A create call that passed validation. @internal */
export interface CreateInput {
  readonly instanceId: string
  readonly instanceSegment: string
  readonly nodeId: string
  readonly backupId: string | undefined
}

/** @internal */
export interface ValidWait {
  readonly schedule: Schedule.Schedule<unknown>
  readonly timeout: Duration.Duration
}

/** @internal */
export const notAnObject = (value: unknown) =>
  typeof value !== "object" || value === null
    ? Either.left(new DcsInvalidRequest({ field: "request", reason: "must be an object" }))
    : undefined

/** @internal */
export const timeout = (value: Duration.DurationInput | undefined): Either.Either<
  Duration.Duration | undefined,
  DcsInvalidRequest
> => {
  if (value === undefined) return Either.right(undefined)
  const duration = Duration.decodeUnknown(value)
  return Option.isSome(duration) && Duration.greaterThan(duration.value, Duration.zero)
    ? Either.right(duration.value)
    : Either.left(new DcsInvalidRequest({ field: "timeout", reason: "must be a positive duration" }))
}

/** @internal */
export const list = (request: ListOfflineKeyAnalysisTasksRequest): Either.Either<ValidList, DcsInvalidRequest> =>
  notAnObject(request) ?? Either.gen(function*() {
    const instanceSegment = yield* validate.pathSegment("instanceId", request.instanceId)
    yield* timeout(request.timeout)
    const offset = yield* validate.optionalInteger("offset", request.offset, 0)
    const limit = yield* validate.optionalInteger("limit", request.limit, 0)
    const status = yield* validate.optionalStatus(request.status)
    return { instanceSegment, query: { instanceId: request.instanceId, offset, limit, status } }
  })

/** @internal */
export const stream = (
  request: StreamOfflineKeyAnalysisTasksRequest
): Either.Either<ValidStream, DcsInvalidRequest> =>
  notAnObject(request) ?? Either.gen(function*() {
    const instanceSegment = yield* validate.pathSegment("instanceId", request.instanceId)
    yield* timeout(request.timeout)
    const pageSize = yield* validate.optionalInteger("pageSize", request.pageSize, 1)
    const startOffset = yield* validate.optionalInteger("startOffset", request.startOffset, 0)
    const concurrency = yield* validate.optionalInteger("concurrency", request.concurrency, 1, defaults.maxConcurrency)
    const status = yield* validate.optionalStatus(request.status)
    return {
      concurrency: concurrency ?? 1,
      instanceId: request.instanceId,
      instanceSegment,
      status,
      pageSize: pageSize ?? defaults.pageSize,
      startOffset: startOffset ?? 0
    }
  })

/** @internal */
export const task = (
  request: TaskRequest | WaitForOfflineKeyAnalysisTaskRequest
): Either.Either<TaskInput, DcsInvalidRequest> =>
  notAnObject(request) ?? Either.gen(function*() {
    const instanceSegment = yield* validate.pathSegment("instanceId", request.instanceId)
    const taskSegment = yield* validate.pathSegment("taskId", request.taskId)
    yield* timeout(request.timeout)
    return { instanceId: request.instanceId, instanceSegment, taskId: request.taskId, taskSegment }
  })

/** @internal */
export const create = (
  request: CreateOfflineKeyAnalysisRequest | AnalyzeKeysRequest
): Either.Either<CreateInput, DcsInvalidRequest> =>
  notAnObject(request) ?? Either.gen(function*() {
    const instanceSegment = yield* validate.pathSegment("instanceId", request.instanceId)
    const nodeId = yield* validate.identifier("nodeId", request.nodeId)
    yield* timeout(request.timeout)
    const backupId = request.backupId === undefined
      ? undefined
      : yield* validate.identifier("backupId", request.backupId)
    return { instanceId: request.instanceId, instanceSegment, nodeId, backupId }
  })

/** @internal */
export const wait = (request: WaitOptions): Either.Either<ValidWait, DcsInvalidRequest> =>
  notAnObject(request) ?? Either.map(timeout(request.timeout), (value) => ({
    schedule: request.schedule ?? defaults.waitSchedule,
    timeout: value ?? defaults.waitTimeout
  }))

/** Runs `f` on valid input, or fails with why the input is not. @internal */
export const validated = <A, B, E, R>(
  input: Either.Either<A, DcsInvalidRequest>,
  f: (valid: A) => Effect.Effect<B, E, R>
): Effect.Effect<B, E | DcsInvalidRequest, R> => Either.isLeft(input) ? Effect.fail(input.left) : f(input.right)

// ---------------------------------------------------------------------------------------------
// Instances, nodes, analyses of instances and fleets
// ---------------------------------------------------------------------------------------------

/** The filters of the list of instances, validated. @internal */
export interface ValidFilters {
  readonly name?: string | undefined
  readonly nameEqual?: boolean | undefined
  readonly status?: string | undefined
  /** In the order given; sent as `k=v,k2=v2`. */
  readonly tags?: ReadonlyArray<readonly [string, string]> | undefined
}

/** A list-of-instances call that passed validation. @internal */
export interface InstancesQuery extends ValidFilters {
  readonly offset?: number | undefined
  readonly limit?: number | undefined
  readonly instanceId?: string | undefined
}

/** @internal */
export interface ValidInstanceStream {
  readonly filters: ValidFilters
  readonly pageSize: number
  readonly startOffset: number
  readonly concurrency: number
}

/** A call about one instance that passed validation. @internal */
export interface InstanceInput {
  readonly instanceId: string
  readonly instanceSegment: string
}

/** @internal */
export interface ValidAnalysis {
  readonly onAlreadyRunning: OnAlreadyRunning
}

/** @internal */
export interface ValidAnalyzeInstance extends ValidAnalysis {
  readonly instanceId: string
  readonly nodes: NodeChoice
  readonly concurrency: number
}

/** @internal */
export interface ValidAnalyzeFleet extends ValidAnalysis {
  readonly filters: ValidFilters
  readonly concurrency: number
  readonly nodes: NodeChoice
  readonly nodeConcurrency: number
}

const invalid = (field: string, reason: string) => Either.left(new DcsInvalidRequest({ field, reason }))

const optionalText = (field: string, value: unknown): Either.Either<string | undefined, DcsInvalidRequest> =>
  value === undefined ? Either.right(undefined) : validate.identifier(field, value)

const optionalBoolean = (field: string, value: unknown): Either.Either<boolean | undefined, DcsInvalidRequest> =>
  value === undefined || typeof value === "boolean"
    ? Either.right(value)
    : invalid(field, `must be a boolean, got ${typeof value}`)

// `tags=k=v,k2=v2`: a key holding `=` or `,`, or a value holding `,`, could not be told apart.
const tags = (
  value: unknown
): Either.Either<ReadonlyArray<readonly [string, string]> | undefined, DcsInvalidRequest> => {
  if (value === undefined) return Either.right(undefined)
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return invalid("tags", "must be an object of tag keys to values")
  }
  const entries: Array<readonly [string, string]> = []
  for (const [key, tagValue] of Object.entries(value)) {
    const validKey = validate.identifier("tags", key)
    if (Either.isLeft(validKey)) return Either.left(validKey.left)
    if (/[=,]/.test(key)) return invalid("tags", `a key must not contain "=" or ",", got ${JSON.stringify(key)}`)
    if (typeof tagValue !== "string") return invalid("tags", `the value of ${JSON.stringify(key)} must be a string`)
    if (/[,\u0000-\u001f\u007f]/.test(tagValue)) {
      return invalid("tags", `the value of ${JSON.stringify(key)} must not contain "," or control characters`)
    }
    entries.push([key, tagValue])
  }
  return Either.right(entries.length === 0 ? undefined : entries)
}

const filters = (request: InstanceFilters): Either.Either<ValidFilters, DcsInvalidRequest> =>
  Either.all({
    name: optionalText("name", request.name),
    nameEqual: optionalBoolean("nameEqual", request.nameEqual),
    status: optionalText("status", request.status),
    tags: tags(request.tags)
  })

/** @internal */
export const listInstances = (request: ListInstancesRequest): Either.Either<InstancesQuery, DcsInvalidRequest> =>
  notAnObject(request) ?? Either.gen(function*() {
    yield* timeout(request.timeout)
    const offset = yield* validate.optionalInteger("offset", request.offset, 0)
    const limit = yield* validate.optionalInteger("limit", request.limit, 1, 1000)
    const instanceId = yield* optionalText("instanceId", request.instanceId)
    return { ...(yield* filters(request)), offset, limit, instanceId }
  })

/** @internal */
export const streamInstances = (
  request: StreamInstancesRequest
): Either.Either<ValidInstanceStream, DcsInvalidRequest> =>
  notAnObject(request) ?? Either.gen(function*() {
    yield* timeout(request.timeout)
    const pageSize = yield* validate.optionalInteger("pageSize", request.pageSize, 1, 1000)
    const startOffset = yield* validate.optionalInteger("startOffset", request.startOffset, 0)
    const concurrency = yield* validate.optionalInteger("concurrency", request.concurrency, 1, defaults.maxConcurrency)
    return {
      filters: yield* filters(request),
      pageSize: pageSize ?? defaults.instancePageSize,
      startOffset: startOffset ?? 0,
      concurrency: concurrency ?? 1
    }
  })

/** @internal */
export const instance = (request: ListInstanceNodesRequest): Either.Either<InstanceInput, DcsInvalidRequest> =>
  notAnObject(request) ?? Either.gen(function*() {
    const instanceSegment = yield* validate.pathSegment("instanceId", request.instanceId)
    yield* timeout(request.timeout)
    return { instanceId: request.instanceId, instanceSegment }
  })

/** @internal */
export const analysis = (request: AnalysisOptions): Either.Either<ValidAnalysis, DcsInvalidRequest> =>
  Either.gen(function*() {
    yield* wait(request)
    const onAlreadyRunning = request.onAlreadyRunning ?? "attach"
    if (onAlreadyRunning !== "attach" && onAlreadyRunning !== "fail") {
      return yield* invalid("onAlreadyRunning", `must be "attach" or "fail", got ${JSON.stringify(onAlreadyRunning)}`)
    }
    return { onAlreadyRunning }
  })

const nodeChoices: ReadonlySet<unknown> = new Set(["preferReplicas", "replicas", "masters"])

const nodeChoice = (value: unknown, allowIds: boolean): Either.Either<NodeChoice, DcsInvalidRequest> => {
  if (value === undefined) return Either.right("preferReplicas")
  if (nodeChoices.has(value)) return Either.right(value as NodeChoice)
  if (allowIds && Array.isArray(value)) {
    return Either.all(value.map((id: unknown) => validate.identifier("nodes", id)))
  }
  return invalid(
    "nodes",
    `must be "preferReplicas", "replicas", "masters"${allowIds ? " or an array of node ids" : ""}`
  )
}

/** @internal */
export const analyzeInstance = (
  request: AnalyzeInstanceRequest
): Either.Either<ValidAnalyzeInstance, DcsInvalidRequest> =>
  notAnObject(request) ?? Either.gen(function*() {
    yield* validate.pathSegment("instanceId", request.instanceId)
    const nodes = yield* nodeChoice(request.nodes, true)
    const concurrency = yield* validate.optionalInteger("concurrency", request.concurrency, 1, defaults.maxConcurrency)
    const { onAlreadyRunning } = yield* analysis(request)
    return {
      instanceId: request.instanceId,
      nodes,
      concurrency: concurrency ?? defaults.nodeConcurrency,
      onAlreadyRunning
    }
  })

/** @internal */
export const analyzeFleet = (request: AnalyzeFleetRequest): Either.Either<ValidAnalyzeFleet, DcsInvalidRequest> =>
  notAnObject(request) ?? Either.gen(function*() {
    const valid = yield* filters(request)
    const concurrency = yield* validate.optionalInteger("concurrency", request.concurrency, 1, defaults.maxConcurrency)
    const nodeConcurrency = yield* validate.optionalInteger(
      "nodeConcurrency",
      request.nodeConcurrency,
      1,
      defaults.maxConcurrency
    )
    const nodes = yield* nodeChoice(request.nodes, false)
    const { onAlreadyRunning } = yield* analysis(request)
    return {
      filters: valid,
      concurrency: concurrency ?? defaults.fleetConcurrency,
      nodes,
      nodeConcurrency: nodeConcurrency ?? defaults.nodeConcurrency,
      onAlreadyRunning
    }
  })
