/**
 * Caches for credentials: one that keeps the first success (static sources, the chain's choice,
 * the project id), and one that keeps temporary credentials fresh (ECS metadata).
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as SynchronizedRef from "effect/SynchronizedRef"

/**
 * Runs `effect` on first use and keeps its success; a failure is not kept, so the next use tries
 * again. Concurrent first uses wait for one run instead of starting their own.
 *
 * @since 0.1.0
 * @category constructors
 */
export const cachedOnSuccess = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<Effect.Effect<A, E>> =>
  Effect.map(
    SynchronizedRef.make(Option.none<A>()),
    (ref) =>
      Effect.flatMap(SynchronizedRef.get(ref), (cached) =>
        Option.isSome(cached)
          ? Effect.succeed(cached.value)
          : SynchronizedRef.modifyEffect(ref, (again) =>
            Option.isSome(again)
              ? Effect.succeed([again.value, again] as const)
              : Effect.map(effect, (value) => [value, Option.some(value)] as const)))
  )

/**
 * @since 0.1.0
 * @category models
 */
export interface RefreshOptions {
  /** A refresh starts (in the background) when less than this remains. */
  readonly refreshBeforeMillis: number
  /** Credentials with less than this left are not used: a request waits for the refresh. */
  readonly minimumLifetimeMillis: number
  /** After an attempt, no background refresh starts again for this long. */
  readonly backgroundRetryMillis: number
}

interface State<A, E> {
  readonly current: A | undefined
  readonly inflight: Deferred.Deferred<A, E> | undefined
  readonly lastAttemptAt: number
}

/**
 * Keeps expiring values (temporary credentials) fresh. The first use fetches; a use that finds
 * less than `refreshBeforeMillis` left starts a refresh in the background and goes on with the
 * current value; a use that finds less than `minimumLifetimeMillis` left (or nothing) waits for
 * the refresh. There is never more than one fetch at a time: whoever comes while one runs joins
 * it. The fetch runs in `scope`, so that a caller that is interrupted does not cancel it for the
 * others. Time is Effect's `Clock`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeRefreshing = <A extends { readonly expiresAt?: number | undefined }, E>(
  fetch: Effect.Effect<A, E>,
  options: RefreshOptions
): Effect.Effect<Effect.Effect<A, E>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const state = yield* Ref.make<State<A, E>>({
      current: undefined,
      inflight: undefined,
      lastAttemptAt: Number.NEGATIVE_INFINITY
    })

    // Joins the running fetch, or starts one. Uninterruptible: a fetch that is marked as running
    // must be started, or every later caller would wait for it forever.
    const refresh = (now: number): Effect.Effect<Deferred.Deferred<A, E>> =>
      Effect.uninterruptible(Effect.gen(function*() {
        const fresh = yield* Deferred.make<A, E>()
        const joined = yield* Ref.modify(state, (s): readonly [Deferred.Deferred<A, E> | undefined, State<A, E>] =>
          s.inflight !== undefined
            ? [s.inflight, s]
            : [undefined, { ...s, inflight: fresh, lastAttemptAt: now }])
        if (joined !== undefined) {
          return joined
        }
        yield* fetch.pipe(
          Effect.onExit((exit) =>
            Ref.update(state, (s) => ({
              ...s,
              inflight: undefined,
              current: Exit.isSuccess(exit) ? exit.value : s.current
            })).pipe(Effect.zipRight(Deferred.done(fresh, exit)))
          ),
          // A fiber forked here would inherit uninterruptibility: closing the scope must stop it.
          Effect.interruptible,
          Effect.forkIn(scope)
        )
        return fresh
      }))

    return Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const s = yield* Ref.get(state)
      if (s.current !== undefined) {
        const left = (s.current.expiresAt ?? Number.POSITIVE_INFINITY) - now
        if (left > options.refreshBeforeMillis) {
          return s.current
        }
        if (left > options.minimumLifetimeMillis) {
          if (s.inflight === undefined && now - s.lastAttemptAt >= options.backgroundRetryMillis) {
            yield* refresh(now)
          }
          return s.current
        }
      }
      return yield* Deferred.await(yield* refresh(now))
    })
  })
