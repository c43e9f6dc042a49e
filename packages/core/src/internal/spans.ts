/**
 * The spans of the client's calls: named after the call, with the request's ids and paging.
 */
import * as Effect from "effect/Effect"

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

/** A span named after the call, with the request's ids and paging as attributes. @internal */
export const withSpan =
  (name: string, request: unknown) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.withSpan(self, name, { attributes: spanAttributes(request), captureStackTrace: false })
