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
 * - It is lazy: pages are requested only while the consumer pulls. Sequentially, a page once the
 *   consumer pulls past the previous one; when concurrent, up to `2 * concurrency` pages ahead of
 *   the one it waits for, at most `concurrency` of them in flight.
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
import * as Queue from "effect/Queue"
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
   * whole window is, as long as fewer than `2 * concurrency` pages are requested and not yet
   * emitted (in flight, or answered and held behind a slower one).
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
  /**
   * The keys of the last pages accepted, newest first: one page when sequential, as many as
   * `concurrency` otherwise (the requests of a window may each have pushed the list down).
   */
  readonly recentKeys: ReadonlyArray<ReadonlySet<unknown>>
  /** The list changed under a window: fetch one page at a time until two pages agree on total. */
  readonly unsettled: boolean
  /** How many pages in a row brought nothing new. */
  readonly repeatedPages: number
  /** The page size the server honours: the size of the first page (a server may cap it). */
  readonly stride: number | undefined
  readonly total: number
  readonly done: boolean
}

/** A page answered to a request of the window: the page, or why there is none. */
interface Answer<P, E> {
  readonly offset: number
  readonly result: Exit.Exit<P, E>
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
    recentKeys: [],
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
    result: Exit.Exit<P, E>,
    checked: boolean
  ): Effect.Effect<readonly [Chunk.Chunk<Emitted<A, P>>, State], E | E2> => {
    if (Exit.isFailure(result)) return Effect.failCause(result.cause)
    const page = result.value
    if (checked && page.total !== state.total) return Effect.succeed([Chunk.empty(), { ...state, unsettled: true }])
    const { offset } = state
    const received = page.items.length
    const items = dropRepeats(page.items, state.recentKeys, key)
    const repeatedPages = received > 0 && items.length === 0 ? state.repeatedPages + 1 : 0
    // Nothing new is progress only while the list grows (new items pushed it down), and not forever.
    if (repeatedPages > 0 && (page.total === state.total || repeatedPages > concurrency)) {
      return Effect.fail(onNoProgress({ offset, total: page.total, page }))
    }
    const next = offset + received
    return Effect.succeed([
      Chunk.of({ offset, limit: pageSize, page, items, received, total: page.total }),
      {
        offset: next,
        recentKeys: [keysOf(page.items, key), ...state.recentKeys].slice(0, concurrency),
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
    state: State
  ): Effect.Effect<Option.Option<readonly [Chunk.Chunk<Emitted<A, P>>, State]>, E | E2, R> =>
    state.done ? Effect.succeedNone : Effect.flatMap(
      Effect.exit(fetch(state.offset, pageSize)),
      (result) => Effect.map(accept(state, result, false), Option.some)
    )

  if (concurrency === 1) return Stream.unfoldChunkEffect(initial, sequentialStep)

  // The sliding window. Each request runs in a fiber of its own that only puts its answer in the
  // window's queue; the window itself is kept in the consumer's fiber, when it pulls, so nothing is
  // requested while the consumer does not pull.
  const slidingPages = () => {
    let window: Window<P, E, R> | undefined

    // Sends requests while fewer than `concurrency` are in flight and fewer than `2 * concurrency`
    // pages are requested and not yet emitted (in flight, or answered and held).
    const fill = (open: Window<P, E, R>, total: number, stride: number): void => {
      while (
        open.inFlight.size < concurrency && open.inFlight.size + open.held.size < 2 * concurrency &&
        open.nextOffset < total
      ) {
        const offset = open.nextOffset
        open.nextOffset += stride
        const answer = Effect.flatMap(
          Effect.exit(fetch(offset, pageSize)),
          (result) => Queue.offer(open.answers, { offset, result })
        )
        // Forked and recorded at once: no interruption can come between the two.
        open.inFlight.set(offset, open.fork(answer))
      }
    }

    // The answer at `state.offset`; every answer that comes first frees a slot, filled at once.
    const awaitHead = (open: Window<P, E, R>, state: State, stride: number): Effect.Effect<Exit.Exit<P, E>> => {
      const head = open.held.get(state.offset)
      if (head !== undefined) {
        open.held.delete(state.offset)
        return Effect.succeed(head)
      }
      return Effect.flatMap(Queue.take(open.answers), (answer) => {
        open.inFlight.delete(answer.offset)
        open.held.set(answer.offset, answer.result)
        fill(open, state.total, stride)
        return awaitHead(open, state, stride)
      })
    }

    // Interrupts the requests in flight and waits for them to end, so that the next window's never
    // overlap them; the answers held, or queued by then, go with the window.
    const close = Effect.suspend(() => {
      const closing = window
      window = undefined
      return closing === undefined || closing.inFlight.size === 0
        ? Effect.void
        // An array, not the map's iterator: interruptAll goes through it twice (interrupt, await).
        : Fiber.interruptAll(Array.from(closing.inFlight.values()))
    })

    const windowStep = (open: Window<P, E, R>, state: State, stride: number) => {
      fill(open, state.total, stride)
      return Effect.flatMap(
        awaitHead(open, state, stride),
        (result) =>
          Effect.flatMap(accept(state, result, state.offset !== open.openedAt), ([emitted, next]) => {
            // The window's requests assumed every page full: another size, the end or a changed list
            // means they asked the wrong offsets, or too many.
            const continues = !next.done && !next.unsettled && next.offset === state.offset + stride
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
        if (state.done || state.unsettled || stride === undefined || stride === 0) return sequentialStep(state)
        if (window !== undefined) return windowStep(window, state, stride)
        return Effect.flatMap(openWindow<P, E, R>(state.offset), (open) => windowStep(window = open, state, stride))
      })

    return Stream.ensuring(Stream.unfoldChunkEffect(initial, step), close)
  }

  return Stream.suspend(slidingPages)
}

/** The requests of a sliding window, from the page at `openedAt` on. */
interface Window<P, E, R> {
  readonly openedAt: number
  /** Where the next request goes. */
  nextOffset: number
  /** Starts a request in a fiber of its own, with the services of the fiber that opened the window. */
  readonly fork: (answer: Effect.Effect<boolean, never, R>) => Fiber.RuntimeFiber<boolean>
  /** The requests whose answer was not yet taken, by offset. */
  readonly inFlight: Map<number, Fiber.RuntimeFiber<boolean>>
  /** Where the requests put their answers: a queue per window, so a closed window's never reach the next. */
  readonly answers: Queue.Queue<Answer<P, E>>
  /** Pages answered ahead of the one the consumer waits for, by offset. */
  readonly held: Map<number, Exit.Exit<P, E>>
}

const openWindow = <P, E, R>(offset: number): Effect.Effect<Window<P, E, R>, never, R> =>
  Effect.map(Effect.zip(Effect.runtime<R>(), Queue.unbounded<Answer<P, E>>()), ([runtime, answers]) => ({
    openedAt: offset,
    nextOffset: offset,
    fork: Runtime.runFork(runtime),
    inFlight: new Map(),
    answers,
    held: new Map()
  }))

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
