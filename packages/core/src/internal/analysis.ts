/**
 * The analysis of a whole instance over the public operations of the service: its nodes, one
 * node per shard (see `InstanceAnalysis.selectNodes`), their analyses run concurrently, merged.
 */
import * as Effect from "effect/Effect"
import type { AnalyzeInstanceRequest, Service } from "../DcsClient.js"
import { merge, NodeAnalysis, selectNodes } from "../InstanceAnalysis.js"
import * as validateRequest from "./request.js"
import { validated } from "./request.js"
import { withSpan } from "./spans.js"

type Resource = Pick<Service, "listInstanceNodes" | "analyzeKeys">

/** @internal */
export const make = (resource: Resource): Pick<Service, "analyzeInstance"> => {
  const analyzeInstance = (request: AnalyzeInstanceRequest) =>
    validated(validateRequest.analyzeInstance(request), (valid) =>
      Effect.gen(function*() {
        const nodes = yield* resource.listInstanceNodes({ instanceId: valid.instanceId, retry: request.retry })
        const chosen = yield* selectNodes(valid.instanceId, nodes, valid.nodes)
        const analyses = yield* Effect.forEach(
          chosen,
          (node) =>
            Effect.map(
              resource.analyzeKeys({
                instanceId: valid.instanceId,
                nodeId: node.nodeId,
                schedule: request.schedule,
                timeout: request.timeout,
                retry: request.retry,
                onAlreadyRunning: valid.onAlreadyRunning,
                onTask: request.onTask
              }),
              (result) => new NodeAnalysis({ node, ...result }, true)
            ),
          { concurrency: valid.concurrency }
        )
        return merge(valid.instanceId, analyses)
      })).pipe(withSpan("DcsClient.analyzeInstance", request))

  return { analyzeInstance }
}
