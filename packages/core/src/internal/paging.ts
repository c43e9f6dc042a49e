/**
 * A DCS list followed to its end: the generic `Paginate` with the client's conventions, shared by
 * the task list and the instance list (errors carry the failing page's offset, a span per page,
 * the no-progress error, the page's request id).
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { type DcsError, DcsPaginationError, withOffset } from "../DcsError.js"
import * as Paginate from "../Paginate.js"
import { withSpan } from "./spans.js"

/** A page as the stream emits it, before it is named for its items (`records`, `instances`). @internal */
export interface ListPage<A> {
  readonly offset: number
  readonly limit: number
  readonly total: number
  readonly items: ReadonlyArray<A>
  readonly received: number
  readonly requestId: Option.Option<string>
}

/** @internal */
export const pages = <A>(options: {
  readonly startOffset: number
  readonly concurrency: number
  readonly pageSize: number
  readonly key: (item: A) => string
  /** What the items are called in the no-progress error, e.g. "records". */
  readonly noun: string
  readonly spanName: string
  readonly spanAttributes: Record<string, unknown>
  readonly fetch: (offset: number, limit: number) => Effect.Effect<
    { readonly items: ReadonlyArray<A>; readonly total: number; readonly requestId: Option.Option<string> },
    DcsError
  >
}): Stream.Stream<ListPage<A>, DcsError> =>
  Paginate.pages({
    startOffset: options.startOffset,
    concurrency: options.concurrency,
    pageSize: options.pageSize,
    key: options.key,
    fetch: (offset, limit) =>
      options.fetch(offset, limit).pipe(
        Effect.mapError((error) => withOffset(error, offset)),
        withSpan(options.spanName, { ...options.spanAttributes, offset, limit })
      ),
    onNoProgress: ({ offset, page, total }) =>
      new DcsPaginationError({
        offset,
        total,
        reason: `the page held only ${options.noun} already emitted (does the server ignore offset?)`,
        requestId: Option.getOrUndefined(page.requestId)
      })
  }).pipe(
    Stream.map((emitted): ListPage<A> => ({
      offset: emitted.offset,
      limit: emitted.limit,
      total: emitted.total,
      items: emitted.items,
      received: emitted.received,
      requestId: emitted.page.requestId
    }))
  )
