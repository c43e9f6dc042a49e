/**
 * The latest successful analyses of an instance (or of one of its nodes), over the public
 * operations of the service, so every layer answers the same way.
 *
 * The task list does not say which node a task analysed; its report does (and, failing that, its
 * nodes). So a node's analyses are found by reading the reports of the successful tasks, newest
 * first, one at a time, and no further than needed.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { AnalysisResult, Service, SuccessfulAnalysisRequest } from "../DcsClient.js"
import type { DcsInvalidRequest } from "../DcsError.js"
import { type DcsError, DcsNoSuccessfulAnalysis } from "../DcsError.js"
import type { OfflineKeyAnalysisRecord } from "../OfflineKeyAnalysis.js"
import { notAnObject, validated } from "./request.js"
import { withSpan } from "./spans.js"
import * as validate from "./validate.js"

type Resource = Pick<
  Service,
  "streamOfflineKeyAnalysisTasks" | "showOfflineKeyAnalysisTask" | "listOfflineKeyAnalysisNodes"
>

// A node is asked for in a few pages at most: small pages keep the first answer quick.
const pageSize = 20

const validRequest = (
  request: SuccessfulAnalysisRequest
): Either.Either<SuccessfulAnalysisRequest, DcsInvalidRequest> =>
  notAnObject(request) ?? (request.nodeId === undefined
    ? Either.right(request)
    : Either.map(validate.identifier("nodeId", request.nodeId), () => request))

/** @internal */
export const make = (
  resource: Resource
): Pick<Service, "latestSuccessfulAnalysis" | "previousSuccessfulAnalysis"> => {
  const callOptions = (request: SuccessfulAnalysisRequest) => ({ retry: request.retry, timeout: request.timeout })

  const resultOf = (request: SuccessfulAnalysisRequest, task: OfflineKeyAnalysisRecord) =>
    Effect.map(
      resource.showOfflineKeyAnalysisTask({ ...callOptions(request), instanceId: request.instanceId, taskId: task.id }),
      (report): AnalysisResult => ({ task, report, attached: false })
    )

  // Whether an analysis is of the node: its report says so; a report without a node id, its nodes.
  const isOfNode = (request: SuccessfulAnalysisRequest, nodeId: string, result: AnalysisResult) =>
    Option.match(result.report.nodeId, {
      onSome: (id) => Effect.succeed(id === nodeId),
      onNone: () =>
        Effect.map(
          resource.listOfflineKeyAnalysisNodes({
            ...callOptions(request),
            instanceId: request.instanceId,
            taskId: result.task.id
          }),
          (nodes) => nodes.some((node) => node.id === nodeId)
        )
    })

  // The successful analyses, newest first (the list's order), read lazily.
  const successful = (request: SuccessfulAnalysisRequest): Stream.Stream<AnalysisResult, DcsError> => {
    const { nodeId } = request
    const results = resource.streamOfflineKeyAnalysisTasks({
      ...callOptions(request),
      instanceId: request.instanceId,
      status: "success",
      pageSize
    }).pipe(
      // A server that ignored `status` must not make a failed task the latest success.
      Stream.filter((task) => task.status === "success"),
      Stream.mapEffect((task) => resultOf(request, task))
    )
    return nodeId === undefined ? results : Stream.filterEffect(results, (result) => isOfNode(request, nodeId, result))
  }

  const nth = (request: SuccessfulAnalysisRequest, index: 0 | 1) =>
    validated(
      validRequest(request),
      (valid) =>
        Effect.flatMap(Stream.runCollect(Stream.take(successful(valid), index + 1)), (found) =>
          Option.match(Chunk.get(found, index), {
            onSome: Effect.succeed,
            onNone: () =>
              Effect.fail(
                new DcsNoSuccessfulAnalysis({
                  instanceId: valid.instanceId,
                  nodeId: valid.nodeId,
                  wanted: index === 0 ? "latest" : "previous",
                  found: Chunk.size(found)
                })
              )
          }))
    )

  return {
    latestSuccessfulAnalysis: (request) =>
      nth(request, 0).pipe(withSpan("DcsClient.latestSuccessfulAnalysis", request)),
    previousSuccessfulAnalysis: (request) =>
      nth(request, 1).pipe(withSpan("DcsClient.previousSuccessfulAnalysis", request))
  }
}
