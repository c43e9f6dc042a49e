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
import { type DcsError, DcsPaginationError, withOffset } from "../DcsError.js"
import type {
  ListOfflineKeyAnalysisTasksResponse,
  OfflineKeyAnalysisNode,
  OfflineKeyAnalysisRecord,
  OfflineKeyAnalysisReport,
  OfflineKeyAnalysisTaskPage
} from "../OfflineKeyAnalysis.js"
import * as Paginate from "../Paginate.js"
import * as history from "./history.js"
import * as validateRequest from "./request.js"
import { validated } from "./request.js"
import { withSpan } from "./spans.js"
import * as waiter from "./waiter.js"

/** One page as a backend answers it, before paging. @internal */
export interface FetchedPage {
  readonly response: ListOfflineKeyAnalysisTasksResponse
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
}

/** A backend whose every operation fails with `error`. @internal */
export const failingBackend = (error: DcsError): Backend => {
  const fail = () => Effect.fail(error)
  return { listPage: fail, create: fail, show: fail, delete: fail, nodes: fail }
}

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
              withSpan("DcsClient.listOfflineKeyAnalysisTasks", { ...valid, offset, limit })
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
    validated(validateRequest.create(request), (valid) => backend.create(valid, request)).pipe(
      withSpan("DcsClient.createOfflineKeyAnalysis", request)
    )

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
  return { ...resource, ...waiter.make(resource), ...history.make(resource) }
}
