/**
 * The client's defaults, in one place: `DcsClient` publishes them, the implementation uses them.
 */
import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"
import type { DcsError } from "../DcsError.js"

/** @internal */
export const retrySchedule: Schedule.Schedule<unknown, DcsError> = Schedule.exponential("200 millis").pipe(
  Schedule.jittered,
  Schedule.intersect(Schedule.recurs(4)),
  Schedule.upTo("20 seconds")
)

/** @internal */
export const timeout: Duration.Duration = Duration.seconds(30)

/** @internal */
export const pageSize = 100

/** @internal */
export const maxConcurrency = 64

/** The most a server's `Retry-After` may hold a retry back. @internal */
export const maxRetryAfter: Duration.Duration = Duration.seconds(20)

/** @internal */
export const waitSchedule: Schedule.Schedule<unknown> = Schedule.exponential("1 second", 1.5).pipe(
  Schedule.union(Schedule.spaced("15 seconds"))
)

/** @internal */
export const waitTimeout: Duration.Duration = Duration.minutes(30)

/** @internal */
export const instancePageSize = 1000

/** @internal */
export const nodeConcurrency = 8

/** @internal */
export const fleetConcurrency = 4

/** @internal */
export const fleetRetrySchedule: Schedule.Schedule<unknown, DcsError> = Schedule.exponential("1 second").pipe(
  Schedule.jittered,
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(30))),
  Schedule.upTo("10 minutes")
)
