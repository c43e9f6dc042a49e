/**
 * The spans of the client's calls: named after the call, with the request's ids and paging.
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import type * as Tracer from "effect/Tracer"

const spanAttributeNames = {
  instanceId: "dcs.instance_id",
  taskId: "dcs.task_id",
  nodeId: "dcs.node_id",
  offset: "dcs.offset",
  limit: "dcs.limit",
  status: "dcs.status"
} as const

// Runs before validation, so it must not trust the request to be an object.
const spanAttributes = (request: unknown): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {}
  if (typeof request !== "object" || request === null) return attributes
  for (const [key, name] of Object.entries(spanAttributeNames)) {
    const value = (request as Record<string, unknown>)[key]
    if (typeof value === "string" || typeof value === "number") attributes[name] = value
  }
  return attributes
}

// Ends a span with the call's outcome but not its value. `Effect.withSpan` ends it with the
// call's exit, value included: a span of the native tracer holds it from then on, and a page's
// span held the page's records. Spans die young, but one that lived through two scavenges (a slow
// page, a span a tracer keeps) took its page to the old generation with it, and the records of
// every page rode along: a third of a stream's allocations were promoted, a fifth of its time was
// spent copying them, and its peak memory grew with the list.
const endSpan = (span: Tracer.Span, exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> =>
  Effect.flatMap(
    FiberRef.get(FiberRef.currentTracerTimingEnabled),
    (timing) =>
      Clock.clockWith((clock) =>
        Effect.sync(() =>
          span.end(timing ? clock.unsafeCurrentTimeNanos() : BigInt(0), Exit.isSuccess(exit) ? Exit.void : exit)
        )
      )
  )

/** A span named after the call, with the request's ids and paging as attributes. @internal */
export const withSpan =
  (name: string, request: unknown) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.acquireUseRelease(
      Effect.makeSpan(name, { attributes: spanAttributes(request), captureStackTrace: false }),
      (span) => Effect.withParentSpan(self, span),
      endSpan
    )
