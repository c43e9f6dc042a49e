/**
 * A Stream that follows an offset/limit API to the end. Generic: it knows nothing of DCS.
 *
 * - The offset advances by the number of items actually received, so a server that caps `limit`
 *   is followed correctly.
 * - It ends when the offset reaches the server's latest `total`, or on an empty page.
 * - Items created while the stream runs push the list down, so a page may repeat items from the
 *   end of the page before it. Those are dropped by key; only the keys of the last page (of the
 *   last `concurrency` pages when concurrent) are kept, so memory does not grow with the list.
 * - A page that holds nothing new while the list's total stands still (a server that ignores
 *   `offset`), or more such pages in a row than `concurrency`, fails with the error built by
 *   `onNoProgress` instead of looping.
 * - It is lazy: nothing is requested before the consumer pulls. Sequentially, a page is requested
 *   once the consumer pulls past the previous one; when concurrent, up to `concurrency` requests
 *   are kept in flight, no further than `2 * concurrency` pages from the one the consumer waits
 *   for or holds, so the pages answered and held behind a slower one stay fewer than that.
 * - When concurrent, pages are still emitted in order, each once; a failed page fails the stream
 *   after every page before it; the requests in flight are interrupted when the stream ends.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Runtime from "effect/Runtime"
import * as Stream from "effect/Stream"

/**
 * What the paginator needs to know of each page it receives.
 *
 * @since 0.1.0
 * @category models
 */
export interface Received<A> {
  readonly items: ReadonlyArray<A>
  readonly total: number
}

/**
 * A page as the stream emits it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Emitted<A, P> {
  /** The offset the page was requested at. */
  readonly offset: number
  /** The limit the page was requested with. */
  readonly limit: number
  /** The page as the fetch function returned it. */
  readonly page: P
  /** The items of the page not already emitted by the page before it, in order. */
  readonly items: ReadonlyArray<A>
  /** How many items the page held, repeats included. */
  readonly received: number
  /** The page's `total`. */
  readonly total: number
}

/**
 * Why a page was judged to make no progress.
 *
 * @since 0.1.0
 * @category models
 */
export interface NoProgress<P> {
  readonly offset: number
  readonly total: number
  readonly page: P
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Options<A, P extends Received<A>, E, R, E2> {
  /** Where to start; 0 by default. */
  readonly startOffset?: number | undefined
  /** The `limit` of every request; at least 1. */
  readonly pageSize: number
  /**
   * How many pages may be in flight at once; 1 (sequential) by default. Beyond 1, the first page
   * is fetched alone (it tells `total` and whether the server caps `limit`), then the following
   * pages through a sliding window: a request is sent as soon as another is answered, not when a
   * whole window is, within `2 * concurrency` pages of the one the consumer waits for or holds
   * (pages answered ahead of a slower one are held until it comes).
   */
  readonly concurrency?: number | undefined
  /** Fetches one page. */
  readonly fetch: (offset: number, limit: number) => Effect.Effect<P, E, R>
  /** The identity of an item, to drop repeats when the list shifts while paging. */
  readonly key: (item: A) => unknown
  /** The error to fail with when a page holds only items already emitted. */
  readonly onNoProgress: (noProgress: NoProgress<P>) => E2
}

interface State {
  readonly offset: number
  /** The list changed under a window: fetch one page at a time until two pages agree on total. */
  readonly unsettled: boolean
  /** How many pages in a row brought nothing new. */
  readonly repeatedPages: number
  /** The page size the server honours: the size of the first page (a server may cap it). */
  readonly stride: number | undefined
  readonly total: number
  readonly done: boolean
}

/**
 * Streams every page of an offset/limit API, in order, until the end.
 *
 * @since 0.1.0
 * @category constructors
 */
export const pages = <A, P extends Received<A>, E, R, E2>(
  options: Options<A, P, E, R, E2>
): Stream.Stream<Emitted<A, P>, E | E2, R> => {
  const { fetch, key, onNoProgress, pageSize } = options
  const concurrency = Math.max(1, options.concurrency ?? 1)
  const initial: State = {
    offset: options.startOffset ?? 0,
    unsettled: false,
    repeatedPages: 0,
    stride: undefined,
    total: 0,
    done: false
  }

  // Accepts the page answered at `state.offset`, or says why it cannot:
  // - the request failed: the stream fails with its error; every page before it has been
  //   emitted, so an error's offset is where to resume;
  // - the page is `checked` (it was requested before the page before it was answered) and saw
  //   another `total` than that page: the list changed between the two answers, which came in any
  //   order, so items may have slipped between them. Nothing is emitted, and the stream goes one
  //   page at a time ("unsettled"), this page first, until two pages agree on total.
  const accept = (
    state: State,
    recent: RecentKeys,
    result: Exit.Exit<P, E>,
    checked: boolean
  ): Effect.Effect<readonly [Chunk.Chunk<Emitted<A, P>>, State], E | E2> => {
    if (Exit.isFailure(result)) return Effect.failCause(result.cause)
    const page = result.value
    if (checked && page.total !== state.total) return Effect.succeed([Chunk.empty(), { ...state, unsettled: true }])
    const { offset } = state
    const received = page.items.length
    const items = dropRepeats(page.items, recent.keys, key)
    const repeatedPages = received > 0 && items.length === 0 ? state.repeatedPages + 1 : 0
    // Nothing new is progress only while the list grows (new items pushed it down), and not forever.
    if (repeatedPages > 0 && (page.total === state.total || repeatedPages > concurrency)) {
      return Effect.fail(onNoProgress({ offset, total: page.total, page }))
    }
    const next = offset + received
    recent.keys = [keysOf(page.items, key), ...recent.keys].slice(0, concurrency)
    return Effect.succeed([
      Chunk.of({ offset, limit: pageSize, page, items, received, total: page.total }),
      {
        offset: next,
        // Settled again once a page sees the total the page before it saw.
        unsettled: state.unsettled && page.total !== state.total,
        repeatedPages,
        stride: state.stride ?? received,
        total: page.total,
        done: received === 0 || next >= page.total
      }
    ])
  }

  // One page, requested in the consumer's fiber once the page before it was accepted.
  const sequentialStep = (
    state: State,
    recent: RecentKeys
  ): Effect.Effect<Option.Option<readonly [Chunk.Chunk<Emitted<A, P>>, State]>, E | E2, R> =>
    state.done ? Effect.succeedNone : Effect.flatMap(
      Effect.exit(fetch(state.offset, pageSize)),
      (result) => Effect.map(accept(state, recent, result, false), Option.some)
    )

  if (concurrency === 1) {
    return Stream.suspend(() => {
      const recent: RecentKeys = { keys: [] }
      return Stream.unfoldChunkEffect(initial, (state) => sequentialStep(state, recent))
    })
  }

  // The sliding window. Each request runs in a fiber of its own, which records its answer and
  // fills the slot it frees at once; the consumer's fiber opens the window, takes its pages in
  // order, and closes it when the pages stop matching the offsets it asked.
  const slidingPages = () => {
    let current: Window<P, E, R> | undefined
    const recent: RecentKeys = { keys: [] }

    // Sends requests while fewer than `concurrency` are in flight, no further than `2 * concurrency`
    // pages from the one the consumer waits for or holds, and not past the end.
    const fill = (window: Window<P, E, R>): void => {
      while (
        window.inFlight.size < concurrency &&
        window.nextOffset < window.from + 2 * concurrency * window.stride &&
        window.nextOffset < window.total
      ) {
        const offset = window.nextOffset
        window.nextOffset += window.stride
        const request = Effect.flatMap(Effect.exit(fetch(offset, pageSize)), (result) =>
          Effect.sync(() => {
            if (window.closed) return
            window.inFlight.delete(offset)
            window.held.set(offset, result)
            // After a short or failed page, the offsets ahead are wrong or not needed.
            if (Exit.isSuccess(result) && result.value.items.length === window.stride) fill(window)
            window.answered.unsafeOpen()
          }))
        // Forked and recorded at once: no interruption comes between the two.
        window.inFlight.set(offset, window.fork(request))
      }
    }

    // The answer at `offset`, once it came.
    const awaitPage = (window: Window<P, E, R>, offset: number): Effect.Effect<Exit.Exit<P, E>> => {
      const page = window.held.get(offset)
      if (page !== undefined) {
        window.held.delete(offset)
        return Effect.succeed(page)
      }
      window.answered.unsafeClose()
      return Effect.zipRight(window.answered.await, Effect.suspend(() => awaitPage(window, offset)))
    }

    // Interrupts the requests in flight and waits for them to end, so that the next window's never
    // overlap them; the answers held go with the window.
    const close = Effect.suspend(() => {
      const closing = current
      current = undefined
      if (closing === undefined) return Effect.void
      closing.closed = true
      // An array, not the map's iterator: interruptAll goes through it twice (interrupt, await).
      return closing.inFlight.size === 0 ? Effect.void : Fiber.interruptAll(Array.from(closing.inFlight.values()))
    })

    const windowStep = (window: Window<P, E, R>, state: State) => {
      // The consumer pulled past the page before: the window moves on.
      window.from = state.offset
      window.total = state.total
      fill(window)
      // Every page of a window but its first may have been answered before the page before it.
      const checked = state.offset !== window.openedAt
      return Effect.flatMap(
        awaitPage(window, state.offset),
        (result) =>
          Effect.flatMap(accept(state, recent, result, checked), ([emitted, next]) => {
            // The window's requests assumed every page full: another size, the end or a changed list
            // means they asked the wrong offsets, or too many.
            const continues = !next.done && !next.unsettled && next.offset === state.offset + window.stride
            const step = Option.some([emitted, next] as const)
            return continues ? Effect.succeed(step) : Effect.as(close, step)
          })
      )
    }

    const step = (
      state: State
    ): Effect.Effect<Option.Option<readonly [Chunk.Chunk<Emitted<A, P>>, State]>, E | E2, R> =>
      Effect.suspend(() => {
        const { stride } = state
        // The first page tells the stride; one at a time while the list is unsettled.
        if (state.done || state.unsettled || stride === undefined || stride === 0) return sequentialStep(state, recent)
        if (current !== undefined) return windowStep(current, state)
        return Effect.flatMap(
          Effect.runtime<R>(),
          (runtime) => windowStep(current = openWindow(runtime, state.offset, stride), state)
        )
      })

    return Stream.ensuring(Stream.unfoldChunkEffect(initial, step), close)
  }

  return Stream.suspend(slidingPages)
}

/**
 * The keys of the last pages accepted, newest first: one page when sequential, as many as
 * `concurrency` otherwise (the requests of a window may each have pushed the list down). One
 * variable per run of the stream rather than a field of the state: the stream's machinery keeps
 * past states a while, and a state that held a page's keys (a Set and the ids' strings) took them
 * to the old generation with it — two fifths of what a stream of pages promoted.
 */
interface RecentKeys {
  keys: ReadonlyArray<ReadonlySet<unknown>>
}

/** The requests of a sliding window, from the page at `openedAt` on, every `stride` items. */
interface Window<P, E, R> {
  readonly openedAt: number
  readonly stride: number
  /** The page the consumer waits for, or holds: the window's first page. */
  from: number
  /** The list's total, as the last page emitted said. */
  total: number
  /** Where the next request goes. */
  nextOffset: number
  /** Starts a request in a fiber of its own, with the services of the fiber that opened the window. */
  readonly fork: (request: Effect.Effect<void, never, R>) => Fiber.RuntimeFiber<void>
  /** The requests not yet answered, by offset. */
  readonly inFlight: Map<number, Fiber.RuntimeFiber<void>>
  /** The pages answered and not yet emitted, by offset. */
  readonly held: Map<number, Exit.Exit<P, E>>
  /** Opened by every answer; the consumer closes it before it waits for one. */
  readonly answered: Effect.Latch
  /** Closed windows record no answer and send no request. */
  closed: boolean
}

const openWindow = <P, E, R>(runtime: Runtime.Runtime<R>, offset: number, stride: number): Window<P, E, R> => ({
  openedAt: offset,
  stride,
  from: offset,
  total: 0,
  nextOffset: offset,
  // Scheduled, not run at once: recorded in flight before it can answer (a fetch need not wait).
  fork: (request) => Runtime.runFork(runtime, request, { immediate: false }),
  inFlight: new Map(),
  held: new Map(),
  answered: Effect.unsafeMakeLatch(false),
  closed: false
})

/**
 * Streams every item of an offset/limit API, in order, each once.
 *
 * @since 0.1.0
 * @category constructors
 */
export const items = <A, P extends Received<A>, E, R, E2>(
  options: Options<A, P, E, R, E2>
): Stream.Stream<A, E | E2, R> => Stream.flattenIterables(pages(options).pipe(Stream.map((page) => page.items)))

const keysOf = <A>(items: ReadonlyArray<A>, key: (item: A) => unknown): ReadonlySet<unknown> => {
  const keys = new Set<unknown>()
  for (let i = 0; i < items.length; i++) keys.add(key(items[i]!))
  return keys
}

// Most pages repeat nothing: check first, and copy only when something must go.
const dropRepeats = <A>(
  items: ReadonlyArray<A>,
  recentKeys: ReadonlyArray<ReadonlySet<unknown>>,
  key: (item: A) => unknown
): ReadonlyArray<A> =>
  recentKeys.length === 0 || !hasAny(items, recentKeys, key)
    ? items
    : items.filter((item) => !isRecent(recentKeys, key(item)))

const isRecent = (recentKeys: ReadonlyArray<ReadonlySet<unknown>>, itemKey: unknown): boolean => {
  for (let i = 0; i < recentKeys.length; i++) {
    if (recentKeys[i]!.has(itemKey)) return true
  }
  return false
}

const hasAny = <A>(
  items: ReadonlyArray<A>,
  recentKeys: ReadonlyArray<ReadonlySet<unknown>>,
  key: (item: A) => unknown
): boolean => {
  for (let i = 0; i < items.length; i++) {
    if (isRecent(recentKeys, key(items[i]!))) return true
  }
  return false
}
