/**
 * The secret headers of a signed request, and the one place that adds them to
 * `Headers.currentRedactedNames`, so that logs and spans print them as `<redacted>`.
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * The headers a signed request carries whose values must not be logged or traced.
 *
 * @since 0.1.0
 * @category constants
 */
export const names: ReadonlyArray<string> = ["authorization", "x-security-token"]

// Adds only the missing names: providing two layers (or a layer and a client) redacts each once.
const addNames = (current: ReadonlyArray<string | RegExp>): ReadonlyArray<string | RegExp> => {
  const missing = names.filter((name) => !current.includes(name))
  return missing.length === 0 ? current : [...current, ...missing]
}

/**
 * Adds {@link names} to `Headers.currentRedactedNames` for what the layer is provided to.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<never> = Layer.fiberRefLocallyScopedWith(Headers.currentRedactedNames, addNames)

/**
 * Runs an effect with {@link names} added to `Headers.currentRedactedNames`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const locally = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.locallyWith(effect, Headers.currentRedactedNames, addNames)
