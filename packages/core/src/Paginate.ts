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
 * - It is lazy: a page is requested only when the consumer pulls past the previous one.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
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
   * pages are fetched in windows of this many, still emitted in order.
   */
  readonly concurrency?: number | undefined
  /** Fetches one page. */
  readonly fetch: (offset: number, limit: number) => Effect.Effect<P, E, R>
  /** The identity of an item, to drop repeats when the list shifts while paging. */
  readonly key: (item: A) => unknown
  /** The error to fail with when a page holds only items already emitted. */
  readonly onNoProgress: (noProgress: NoProgress<P>) => E2
}

interface State<E> {
  readonly offset: number
  /**
   * The keys of the last pages accepted, newest first: one page when sequential, as many as
   * `concurrency` otherwise (a window's requests may each have pushed the list down).
   */
  readonly recentKeys: ReadonlyArray<ReadonlySet<unknown>>
  /** The list changed under a window: fetch one page at a time until two pages agree on total. */
  readonly unsettled: boolean
  /** How many pages in a row brought nothing new. */
  readonly repeatedPages: number
  /** The page size the server honours: the size of the first full page (a server may cap it). */
  readonly stride: number | undefined
  readonly total: number
  readonly done: boolean
  /** A page of the last window failed after the pages before it were accepted: fail next. */
  readonly failure: Option.Option<E>
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

  // Accepts the pages fetched from `state.offset` on, in order, and stops at the first page that
  // - ends the list;
  // - falls short of the stride: the pages after it were asked at offsets that assumed a full
  //   page, so they are dropped and fetched again from the right offset;
  // - saw another `total` than the page before it: the list changed between the two answers
  //   (pages of a window are answered in any order), so items may have slipped between them;
  // - failed: the pages before it are emitted, and the stream fails with its error on the next
  //   pull, so that an error's offset is where every earlier item has been emitted.
  const accept = (
    state: State<E>,
    fetched: ReadonlyArray<readonly [number, Either.Either<P, E>]>
  ): Effect.Effect<readonly [Array<Emitted<A, P>>, State<E>], E | E2> => {
    const emitted: Array<Emitted<A, P>> = []
    let current = state
    for (const [offset, result] of fetched) {
      if (offset !== current.offset) break
      if (Either.isLeft(result)) {
        if (emitted.length === 0) return Effect.fail(result.left)
        current = { ...current, failure: Option.some(result.left) }
        break
      }
      const page = result.right
      if (emitted.length > 0 && page.total !== current.total) {
        current = { ...current, unsettled: true }
        break
      }
      const received = page.items.length
      const items = dropRepeats(page.items, current.recentKeys, key)
      const repeatedPages = received > 0 && items.length === 0 ? current.repeatedPages + 1 : 0
      // Nothing new is progress only while the list grows (new items pushed it down), and not forever.
      if (repeatedPages > 0 && (page.total === current.total || repeatedPages > concurrency)) {
        return Effect.fail(onNoProgress({ offset, total: page.total, page }))
      }
      emitted.push({ offset, limit: pageSize, page, items, received, total: page.total })
      const next = offset + received
      const stride = current.stride ?? received
      current = {
        offset: next,
        recentKeys: [keysOf(page.items, key), ...current.recentKeys].slice(0, concurrency),
        // Settled again once a page sees the total the page before it saw.
        unsettled: current.unsettled && page.total !== current.total,
        repeatedPages,
        stride,
        total: page.total,
        done: received === 0 || next >= page.total,
        failure: Option.none()
      }
      if (current.done || received < stride) break
    }
    return Effect.succeed([emitted, current] as const)
  }

  const fetchAt = (offset: number) =>
    Effect.map(Effect.either(fetch(offset, pageSize)), (page) => [offset, page] as const)

  const step = (
    state: State<E>
  ): Effect.Effect<Option.Option<readonly [Array<Emitted<A, P>>, State<E>]>, E | E2, R> => {
    if (Option.isSome(state.failure)) return Effect.fail(state.failure.value)
    if (state.done) return Effect.succeedNone
    const window = state.stride === undefined || state.stride === 0 || concurrency === 1 || state.unsettled
      ? [state.offset]
      : offsetsOf(state.offset, state.stride, state.total, concurrency)
    const fetched = window.length === 1
      ? Effect.map(fetchAt(state.offset), (page) => [page])
      : Effect.forEach(window, fetchAt, { concurrency })
    return Effect.flatMap(fetched, (pages) => Effect.map(accept(state, pages), Option.some))
  }

  return Stream.flattenIterables(
    Stream.unfoldEffect<State<E>, Array<Emitted<A, P>>, E | E2, R>(
      {
        offset: options.startOffset ?? 0,
        recentKeys: [],
        unsettled: false,
        repeatedPages: 0,
        stride: undefined,
        total: 0,
        done: false,
        failure: Option.none()
      },
      step
    )
  )
}

const offsetsOf = (from: number, stride: number, total: number, count: number): Array<number> => {
  const offsets = [from]
  while (offsets.length < count && from + offsets.length * stride < total) offsets.push(from + offsets.length * stride)
  return offsets
}

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
