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
  AnalyzeKeysRequest,
  CreateOfflineKeyAnalysisRequest,
  ListOfflineKeyAnalysisTasksRequest,
  StreamOfflineKeyAnalysisTasksRequest,
  TaskRequest,
  WaitForOfflineKeyAnalysisTaskRequest,
  WaitOptions
} from "../DcsClient.js"
import { DcsInvalidRequest } from "../DcsError.js"
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
