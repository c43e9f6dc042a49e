/**
 * A client-side rate limit shared by every fiber of a layer, on Effect's `Clock` (so it runs on
 * the `TestClock` in tests): at most `requests` in any window of `per`, a sliding window. The
 * gateway counts per window ("limit:10, time:1 second"); a token bucket would let nearly twice
 * that through in one window after a burst.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

/** Waits until one more request may go; each call takes one slot. @internal */
export const make = (requests: number, per: Duration.Duration): Effect.Effect<void> => {
  const window = Duration.toMillis(per)
  // The times granted to the last `requests` requests, oldest at `oldest`. Grants are handed out
  // in order and never decrease, so a request may go once the one `requests` before it is a
  // window old.
  const granted: Array<number> = new Array(requests).fill(Number.NEGATIVE_INFINITY)
  let oldest = 0
  return Effect.flatMap(Clock.currentTimeMillis, (now) => {
    // Runs synchronously, so concurrent fibers each take their own slot.
    const at = Math.max(now, granted[oldest]! + window)
    granted[oldest] = at
    oldest = (oldest + 1) % requests
    return at > now ? Effect.sleep(Duration.millis(at - now)) : Effect.void
  })
}
