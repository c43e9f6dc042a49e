/**
 * A fleet analysed at once (`DcsClient.analyzeFleet`): what became of each instance, and the
 * fleet-wide summary of those outcomes.
 *
 * Every outcome is a Schema class, so a stream of outcomes can be written as JSON lines with
 * `Schema.encodeSync(Fleet.FleetOutcome)`.
 *
 * @since 0.2.0
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { DcsAnalysisFailed, DcsError, DcsNoAnalyzableNode, DcsWaitTimeout } from "./DcsError.js"
import { DcsInstance } from "./DcsInstance.js"
import { InstanceAnalysis, type InstanceBigKey } from "./InstanceAnalysis.js"
import type { KeyPrefix } from "./OfflineKeyAnalysis.js"

/**
 * Why an instance of the fleet could not be analysed.
 *
 * @since 0.2.0
 * @category schemas
 */
export const FleetError = Schema.Union(DcsError, DcsAnalysisFailed, DcsWaitTimeout, DcsNoAnalyzableNode)

/**
 * @since 0.2.0
 * @category models
 */
export type FleetError = typeof FleetError.Type

/**
 * The instance was analysed, shard by shard.
 *
 * @since 0.2.0
 * @category outcomes
 */
export class Analyzed extends Schema.TaggedClass<Analyzed>()("Analyzed", {
  instance: DcsInstance,
  analysis: InstanceAnalysis
}) {}

/**
 * The instance cannot be analysed: Redis 3.0, Memcached, an answer `DCS.4230`, or no node to
 * analyse. Not a failure: nothing would make it work.
 *
 * @since 0.2.0
 * @category outcomes
 */
export class Unsupported extends Schema.TaggedClass<Unsupported>()("Unsupported", {
  instance: DcsInstance,
  reason: Schema.String
}) {}

/**
 * The instance was not analysed because it is not `RUNNING`; `reason` is its status.
 *
 * @since 0.2.0
 * @category outcomes
 */
export class Skipped extends Schema.TaggedClass<Skipped>()("Skipped", {
  instance: DcsInstance,
  reason: Schema.String
}) {}

/**
 * The analysis of the instance failed; the rest of the fleet went on.
 *
 * @since 0.2.0
 * @category outcomes
 */
export class Failed extends Schema.TaggedClass<Failed>()("Failed", {
  instance: DcsInstance,
  error: FleetError
}) {}

/**
 * What became of one instance of the fleet.
 *
 * @since 0.2.0
 * @category schemas
 */
export const FleetOutcome = Schema.Union(Analyzed, Unsupported, Skipped, Failed)

/**
 * @since 0.2.0
 * @category models
 */
export type FleetOutcome = Analyzed | Unsupported | Skipped | Failed

/**
 * One of the fleet's biggest keys, with its instance.
 *
 * @since 0.2.0
 * @category models
 */
export interface FleetBigKey {
  readonly instance: DcsInstance
  readonly key: InstanceBigKey
}

/**
 * One of the fleet's biggest key prefixes, with its instance (prefixes are not summed across
 * instances: `session:` of two applications are two things).
 *
 * @since 0.2.0
 * @category models
 */
export interface FleetKeyPrefix {
  readonly instance: DcsInstance
  readonly prefix: KeyPrefix
}

/**
 * One instance's line of the fleet summary.
 *
 * @since 0.2.0
 * @category models
 */
export interface FleetInstanceSummary {
  readonly instance: DcsInstance
  readonly outcome: FleetOutcome["_tag"]
  /** Why it was not analysed: the reason, or the error's message. */
  readonly reason: Option.Option<string>
  readonly totalBytes: Option.Option<number>
  readonly totalNum: Option.Option<number>
  readonly biggestKey: Option.Option<InstanceBigKey>
}

/**
 * The fleet at a glance.
 *
 * @since 0.2.0
 * @category models
 */
export interface FleetSummary {
  /** One line per instance: the analysed ones biggest first, then the others in the order given. */
  readonly instances: ReadonlyArray<FleetInstanceSummary>
  /** The fleet's biggest keys, biggest first, at most `top`. */
  readonly largestKeys: ReadonlyArray<FleetBigKey>
  /** The fleet's biggest key prefixes (per instance), biggest first, at most `top`. */
  readonly largestKeyPrefixes: ReadonlyArray<FleetKeyPrefix>
  /** How many instances had each outcome. */
  readonly counts: { readonly [Tag in FleetOutcome["_tag"]]: number }
  /** The bytes and keys of the analysed instances. */
  readonly totalBytes: number
  readonly totalNum: number
}

/**
 * Summarises a fleet's outcomes: per-instance totals and biggest key, and the fleet-wide biggest
 * keys and prefixes with their instances (`top`, 20 by default, of each).
 *
 * @since 0.2.0
 * @category summary
 */
export const summarizeFleet = (
  outcomes: Iterable<FleetOutcome>,
  options: { readonly top?: number | undefined } = {}
): FleetSummary => {
  const top = Math.max(0, options.top ?? 20)
  const counts = { Analyzed: 0, Unsupported: 0, Skipped: 0, Failed: 0 }
  const analyzed: Array<FleetInstanceSummary> = []
  const others: Array<FleetInstanceSummary> = []
  const keys: Array<FleetBigKey> = []
  const prefixes: Array<FleetKeyPrefix> = []
  let totalBytes = 0
  let totalNum = 0
  for (const outcome of outcomes) {
    counts[outcome._tag]++
    const { instance } = outcome
    if (outcome._tag === "Analyzed") {
      const { analysis } = outcome
      totalBytes += analysis.totalBytes
      totalNum += analysis.totalNum
      for (const key of analysis.largestKeys) keys.push({ instance, key })
      for (const prefix of analysis.largestKeyPrefixes) prefixes.push({ instance, prefix })
      analyzed.push({
        instance,
        outcome: outcome._tag,
        reason: Option.none(),
        totalBytes: Option.some(analysis.totalBytes),
        totalNum: Option.some(analysis.totalNum),
        biggestKey: Option.fromNullable(analysis.largestKeys[0])
      })
    } else {
      others.push({
        instance,
        outcome: outcome._tag,
        reason: Option.some(outcome._tag === "Failed" ? outcome.error.message : outcome.reason),
        totalBytes: Option.none(),
        totalNum: Option.none(),
        biggestKey: Option.none()
      })
    }
  }
  analyzed.sort((x, y) => Option.getOrElse(y.totalBytes, () => 0) - Option.getOrElse(x.totalBytes, () => 0))
  keys.sort((x, y) => y.key.bytes - x.key.bytes)
  prefixes.sort((x, y) => y.prefix.bytes - x.prefix.bytes)
  return {
    instances: [...analyzed, ...others],
    largestKeys: keys.slice(0, top),
    largestKeyPrefixes: prefixes.slice(0, top),
    counts,
    totalBytes,
    totalNum
  }
}
