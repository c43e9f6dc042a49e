/**
 * One service for every layer: a layer implements a `Backend` (the API's operations on
 * validated input); validation, paging, waiting and spans are shared here.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type {
  CallOptions,
  CreateOfflineKeyAnalysisRequest,
  ListOfflineKeyAnalysisTasksRequest,
  Service,
  StreamOfflineKeyAnalysisTasksRequest,
  TaskRequest
} from "../DcsClient.js"
import { DcsAnalysisAlreadyRunning, type DcsError } from "../DcsError.js"
import type { DcsInstanceNode, ListInstancesResponse } from "../DcsInstance.js"
import type {
  ListOfflineKeyAnalysisTasksResponse,
  OfflineKeyAnalysisNode,
  OfflineKeyAnalysisRecord,
  OfflineKeyAnalysisReport,
  OfflineKeyAnalysisTaskPage
} from "../OfflineKeyAnalysis.js"
import * as analysis from "./analysis.js"
import * as fleet from "./fleet.js"
import * as history from "./history.js"
import * as instances from "./instances.js"
import * as paging from "./paging.js"
import * as validateRequest from "./request.js"
import { validated } from "./request.js"
import { withSpan } from "./spans.js"
import * as validate from "./validate.js"
import * as waiter from "./waiter.js"

/** One page as a backend answers it, before paging. @internal */
export interface FetchedPage {
  readonly response: ListOfflineKeyAnalysisTasksResponse
  readonly requestId: Option.Option<string>
}

/** One page of the list of instances as a backend answers it. @internal */
export interface FetchedInstancesPage {
  readonly response: ListInstancesResponse
  readonly requestId: Option.Option<string>
}

/**
 * What a layer implements: the API's operations on validated input (ids given both as they are
 * and as encoded path segments). Everything else is shared.
 *
 * @internal
 */
export interface Backend {
  readonly listPage: (
    query: validateRequest.ListQuery,
    instanceSegment: string,
    options: CallOptions
  ) => Effect.Effect<FetchedPage, DcsError>
  readonly create: (input: validateRequest.CreateInput, options: CallOptions) => Effect.Effect<string, DcsError>
  readonly show: (
    input: validateRequest.TaskInput,
    options: CallOptions
  ) => Effect.Effect<OfflineKeyAnalysisReport, DcsError>
  readonly delete: (input: validateRequest.TaskInput, options: CallOptions) => Effect.Effect<void, DcsError>
  readonly nodes: (
    input: validateRequest.TaskInput,
    options: CallOptions
  ) => Effect.Effect<ReadonlyArray<OfflineKeyAnalysisNode>, DcsError>
  readonly listInstancesPage: (
    query: validateRequest.InstancesQuery,
    options: CallOptions
  ) => Effect.Effect<FetchedInstancesPage, DcsError>
  readonly instanceNodes: (
    input: validateRequest.InstanceInput,
    options: CallOptions
  ) => Effect.Effect<ReadonlyArray<DcsInstanceNode>, DcsError>
}

/** A backend whose every operation fails with `error`. @internal */
export const failingBackend = (error: DcsError): Backend => {
  const fail = () => Effect.fail(error)
  return {
    listPage: fail,
    create: fail,
    show: fail,
    delete: fail,
    nodes: fail,
    listInstancesPage: fail,
    instanceNodes: fail
  }
}

/** How many of the newest waiting (and running) tasks are looked at to find a node's. */
const RUNNING_CANDIDATES = 10

/**
 * The id of the task waiting or running on a node, if it can be found: the service's DCS.4231
 * does not say. The list has no node, so the newest waiting and running tasks are shown (the
 * report names its node) until one is the node's; a report without a node falls back to the
 * task's nodes. Usually one or two calls. Any failure means "not found": this only adds to an
 * error already being reported.
 */
const findRunningTask = (
  backend: Backend,
  input: validateRequest.CreateInput,
  options: CallOptions
): Effect.Effect<Option.Option<string>> =>
  Effect.gen(function*() {
    const candidates: Array<string> = []
    // Waiting before running: a task moves waiting → running, so one that moves between the two
    // requests is in the second answer (the other order would miss it).
    for (const status of ["waiting", "running"] as const) {
      const page = yield* backend.listPage(
        { instanceId: input.instanceId, offset: 0, limit: RUNNING_CANDIDATES, status },
        input.instanceSegment,
        options
      )
      for (const record of page.response.records) {
        // A server that ignores the filter lists finished tasks too.
        if ((record.status === "running" || record.status === "waiting") && !candidates.includes(record.id)) {
          candidates.push(record.id)
        }
      }
    }
    for (const taskId of candidates) {
      const taskSegment = validate.pathSegment("taskId", taskId)
      if (Either.isLeft(taskSegment)) continue
      const task = {
        instanceId: input.instanceId,
        instanceSegment: input.instanceSegment,
        taskId,
        taskSegment: taskSegment.right
      }
      const report = yield* backend.show(task, options)
      const onNode = Option.isSome(report.nodeId)
        ? report.nodeId.value === input.nodeId
        : (yield* backend.nodes(task, options)).some((node) => node.id === input.nodeId)
      if (onNode) return Option.some(taskId)
    }
    return Option.none<string>()
  }).pipe(
    Effect.catchAll(() => Effect.succeed(Option.none<string>())),
    Effect.withSpan("DcsClient.findRunningTask", { captureStackTrace: false })
  )

const pageKey = (record: OfflineKeyAnalysisRecord): string => record.id

/** Builds the service from a backend. @internal */
export const fromBackend = (backend: Backend): Service => {
  const listOfflineKeyAnalysisTasks = (request: ListOfflineKeyAnalysisTasksRequest) =>
    validated(
      validateRequest.list(request),
      ({ instanceSegment, query }) =>
        Effect.map(backend.listPage(query, instanceSegment, request), (page) => page.response)
    ).pipe(withSpan("DcsClient.listOfflineKeyAnalysisTasks", request))

  const streamOfflineKeyAnalysisTaskPages = (
    request: StreamOfflineKeyAnalysisTasksRequest
  ): Stream.Stream<OfflineKeyAnalysisTaskPage, DcsError> =>
    Either.match(validateRequest.stream(request), {
      onLeft: (error) => Stream.fail(error),
      onRight: (valid) =>
        paging.pages({
          startOffset: valid.startOffset,
          concurrency: valid.concurrency,
          pageSize: valid.pageSize,
          key: pageKey,
          noun: "records",
          spanName: "DcsClient.listOfflineKeyAnalysisTasks",
          spanAttributes: { ...valid },
          fetch: (offset, limit) =>
            Effect.map(
              backend.listPage(
                { instanceId: valid.instanceId, offset, limit, status: valid.status },
                valid.instanceSegment,
                request
              ),
              (page) => ({ items: page.response.records, total: page.response.total, requestId: page.requestId })
            )
        }).pipe(
          Stream.map(({ items, ...page }): OfflineKeyAnalysisTaskPage => ({ ...page, records: items }))
        )
    })

  const streamOfflineKeyAnalysisTasks = (request: StreamOfflineKeyAnalysisTasksRequest) =>
    // Each page's records as one chunk, without the copy `Stream.flattenIterables` makes of them.
    Stream.mapConcatChunk(streamOfflineKeyAnalysisTaskPages(request), (page) => Chunk.unsafeFromArray(page.records))

  const createOfflineKeyAnalysis = (request: CreateOfflineKeyAnalysisRequest) =>
    validated(validateRequest.create(request), (valid) =>
      backend.create(valid, request).pipe(
        Effect.catchTag("DcsAnalysisAlreadyRunning", (error) =>
          error.runningTaskId !== undefined ? Effect.fail(error) : findRunningTask(backend, valid, request).pipe(
            Effect.flatMap((found) =>
              Effect.fail(
                Option.isSome(found) ? new DcsAnalysisAlreadyRunning({ ...error, runningTaskId: found.value }) : error
              )
            )
          ))
      )).pipe(withSpan("DcsClient.createOfflineKeyAnalysis", request))

  const taskOperation = <A>(
    name: string,
    operation: (valid: validateRequest.TaskInput, options: CallOptions) => Effect.Effect<A, DcsError>
  ) =>
  (request: TaskRequest): Effect.Effect<A, DcsError> =>
    validated(validateRequest.task(request), (valid) => operation(valid, request)).pipe(
      withSpan(name, request)
    )

  const showOfflineKeyAnalysisTask = taskOperation("DcsClient.showOfflineKeyAnalysisTask", backend.show)
  const resource = {
    listOfflineKeyAnalysisTasks,
    streamOfflineKeyAnalysisTaskPages,
    streamOfflineKeyAnalysisTasks,
    createOfflineKeyAnalysis,
    showOfflineKeyAnalysisTask,
    deleteOfflineKeyAnalysisTask: taskOperation("DcsClient.deleteOfflineKeyAnalysisTask", backend.delete),
    listOfflineKeyAnalysisNodes: taskOperation("DcsClient.listOfflineKeyAnalysisNodes", backend.nodes)
  }
  const lifecycle = { ...resource, ...waiter.make(resource), ...history.make(resource) }
  const withInstances = { ...lifecycle, ...instances.make(backend) }
  const withAnalysis = { ...withInstances, ...analysis.make(withInstances) }
  return { ...withAnalysis, ...fleet.make(withAnalysis) }
}
