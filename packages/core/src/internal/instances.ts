/**
 * The instances of a project and the nodes of an instance, over a backend: validation, paging
 * (the same generic `Paginate` as the tasks) and spans.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type { ListInstanceNodesRequest, ListInstancesRequest, Service, StreamInstancesRequest } from "../DcsClient.js"
import type { DcsError } from "../DcsError.js"
import type { DcsInstance, DcsInstancePage } from "../DcsInstance.js"
import * as paging from "./paging.js"
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
        paging.pages({
          startOffset: valid.startOffset,
          concurrency: valid.concurrency,
          pageSize: valid.pageSize,
          key: instanceKey,
          noun: "instances",
          spanName: "DcsClient.listInstances",
          spanAttributes: { status: valid.filters.status },
          fetch: (offset, limit) =>
            Effect.map(
              backend.listInstancesPage({ ...valid.filters, offset, limit }, request),
              (page) => ({ items: page.response.instances, total: page.response.total, requestId: page.requestId })
            )
        }).pipe(Stream.map(({ items, ...page }): DcsInstancePage => ({ ...page, instances: items })))
    })

  const streamInstances = (request: StreamInstancesRequest = {}) =>
    Stream.mapConcatChunk(streamInstancePages(request), (page) => Chunk.unsafeFromArray(page.instances))

  const listInstanceNodes = (request: ListInstanceNodesRequest) =>
    validated(validateRequest.instance(request), (valid) => backend.instanceNodes(valid, request)).pipe(
      withSpan("DcsClient.listInstanceNodes", request)
    )

  return { listInstances, streamInstancePages, streamInstances, listInstanceNodes }
}
