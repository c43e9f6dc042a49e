/**
 * A fleet analysed at once, over the public operations of the service.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import type { AnalyzeFleetRequest, Service } from "../DcsClient.js"
import type { DcsError } from "../DcsError.js"
import { type DcsInstance, instanceStatusToString, unsupportedReason } from "../DcsInstance.js"
import { Analyzed, Failed, type FleetOutcome, Skipped, Unsupported } from "../Fleet.js"
import * as defaults from "./defaults.js"
import * as validateRequest from "./request.js"

type Resource = Pick<Service, "streamInstances" | "analyzeInstance">

/** @internal */
export const make = (resource: Resource): Pick<Service, "analyzeFleet"> => {
  const analyzeFleet = (request: AnalyzeFleetRequest = {}): Stream.Stream<FleetOutcome, DcsError> =>
    Either.match(validateRequest.analyzeFleet(request), {
      onLeft: (error) => Stream.fail(error),
      onRight: (valid) => {
        const retry = request.retry ?? defaults.fleetRetrySchedule

        const outcomeOf = (instance: DcsInstance): Effect.Effect<FleetOutcome> => {
          const unsupported = unsupportedReason(instance)
          if (Option.isSome(unsupported)) {
            return Effect.succeed(new Unsupported({ instance, reason: unsupported.value }))
          }
          if (instance.status !== "RUNNING") {
            return Effect.succeed(new Skipped({ instance, reason: instanceStatusToString(instance.status) }))
          }
          return resource.analyzeInstance({
            instanceId: instance.id,
            nodes: valid.nodes,
            concurrency: valid.nodeConcurrency,
            schedule: request.schedule,
            timeout: request.timeout,
            retry,
            onAlreadyRunning: valid.onAlreadyRunning,
            onTask: request.onTask
          }).pipe(
            Effect.map((analysis): FleetOutcome => new Analyzed({ instance, analysis })),
            Effect.catchAll((error): Effect.Effect<FleetOutcome> =>
              Effect.succeed(
                error._tag === "DcsNotSupported" || error._tag === "DcsNoAnalyzableNode"
                  ? new Unsupported({ instance, reason: error.message })
                  : new Failed({ instance, error })
              )
            ),
            Effect.withSpan("DcsClient.analyzeFleet.instance", {
              attributes: { "dcs.instance_id": instance.id },
              captureStackTrace: false
            })
          )
        }

        // The instances are listed before any analysis starts: the total is known (for progress),
        // and paging is not left half-way for the minutes the analyses take.
        return Stream.unwrap(
          Effect.gen(function*() {
            const instances = Chunk.toReadonlyArray(
              yield* Stream.runCollect(resource.streamInstances({ ...filtersOf(valid), retry }))
            )
            if (request.onInstances !== undefined) yield* request.onInstances(instances)
            return Stream.fromIterable(instances).pipe(
              Stream.mapEffect(outcomeOf, { concurrency: valid.concurrency, unordered: true })
            )
          })
        )
      }
    })

  return { analyzeFleet }
}

const filtersOf = (valid: validateRequest.ValidAnalyzeFleet) => ({
  name: valid.filters.name,
  nameEqual: valid.filters.nameEqual,
  status: valid.filters.status,
  tags: valid.filters.tags === undefined ? undefined : Object.fromEntries(valid.filters.tags)
})
