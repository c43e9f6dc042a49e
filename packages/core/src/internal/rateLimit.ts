/**
 * A client-side rate limit shared by every fiber of a layer, on Effect's `Clock` (so it runs on
 * the `TestClock` in tests). A generic cell rate algorithm: at most `requests` in any window of
 * `per`, a burst of `requests` allowed, then one every `per / requests`.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** Waits until one more request may go; each call takes one slot. @internal */
export const make = (requests: number, per: Duration.Duration): Effect.Effect<void> => {
  const window = Duration.toMillis(per)
  const interval = window / requests
  // The theoretical arrival time of the next request: when the bucket is next empty.
  let next = Number.NEGATIVE_INFINITY
  return Effect.flatMap(Clock.currentTimeMillis, (now) => {
    // Runs synchronously, so concurrent fibers each take their own slot.
    next = Math.max(next, now) + interval
    const delay = next - window - now
    return delay > 0 ? Effect.sleep(Duration.millis(delay)) : Effect.void
  })
}
