/**
 * The instances of a project and the nodes of an instance, over a backend: validation, paging
 * (the same generic `Paginate` as the tasks) and spans.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { ListInstanceNodesRequest, ListInstancesRequest, Service, StreamInstancesRequest } from "../DcsClient.js"
import { type DcsError, DcsPaginationError, withOffset } from "../DcsError.js"
import type { DcsInstance, DcsInstancePage } from "../DcsInstance.js"
import * as Paginate from "../Paginate.js"
import * as validateRequest from "./request.js"
import { validated } from "./request.js"
import type { Backend } from "./service.js"
import { withSpan } from "./spans.js"

const instanceKey = (instance: DcsInstance): string => instance.id

/** @internal */
export const make = (
  backend: Backend
): Pick<Service, "listInstances" | "streamInstancePages" | "streamInstances" | "listInstanceNodes"> => {
  const listInstances = (request: ListInstancesRequest = {}) =>
    validated(
      validateRequest.listInstances(request),
      (query) => Effect.map(backend.listInstancesPage(query, request), (page) => page.response)
    ).pipe(withSpan("DcsClient.listInstances", request))

  const streamInstancePages = (request: StreamInstancesRequest = {}): Stream.Stream<DcsInstancePage, DcsError> =>
    Either.match(validateRequest.streamInstances(request), {
      onLeft: (error) => Stream.fail(error),
      onRight: (valid) =>
        Paginate.pages({
          startOffset: valid.startOffset,
          concurrency: valid.concurrency,
          pageSize: valid.pageSize,
          key: instanceKey,
          fetch: (offset, limit) =>
            backend.listInstancesPage({ ...valid.filters, offset, limit }, request).pipe(
              Effect.mapError((error) => withOffset(error, offset)),
              Effect.map((page) => ({ ...page, items: page.response.instances, total: page.response.total })),
              withSpan("DcsClient.listInstances", { offset, limit, status: valid.filters.status })
            ),
          onNoProgress: ({ offset, page, total }) =>
            new DcsPaginationError({
              offset,
              total,
              reason: "the page held only instances already emitted (does the server ignore offset?)",
              requestId: Option.getOrUndefined(page.requestId)
            })
        }).pipe(
          Stream.map((emitted): DcsInstancePage => ({
            offset: emitted.offset,
            limit: emitted.limit,
            total: emitted.total,
            instances: emitted.items,
            received: emitted.received,
            requestId: emitted.page.requestId
          }))
        )
    })

  const streamInstances = (request: StreamInstancesRequest = {}) =>
    Stream.mapConcatChunk(streamInstancePages(request), (page) => Chunk.unsafeFromArray(page.instances))

  const listInstanceNodes = (request: ListInstanceNodesRequest) =>
    validated(validateRequest.instance(request), (valid) => backend.instanceNodes(valid, request)).pipe(
      withSpan("DcsClient.listInstanceNodes", request)
    )

  return { listInstances, streamInstancePages, streamInstances, listInstanceNodes }
}
