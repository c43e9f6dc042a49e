import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Either, Exit, FastCheck as fc, Fiber, Stream, TestClock } from "effect"
import * as Paginate from "../src/Paginate.js"

interface Item {
  readonly id: string
}

interface Page {
  readonly items: ReadonlyArray<Item>
  readonly total: number
}

interface Request {
  readonly offset: number
  readonly limit: number
}

class NoProgressError {
  readonly _tag = "NoProgressError"
  constructor(readonly offset: number, readonly total: number) {}
}

const itemsOf = (n: number, prefix = "item"): Array<Item> =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}` }))

/**
 * An in-memory offset/limit server over a mutable list. `cap` is the most records one page holds
 * (a server that caps `limit`); `shortfall` lets a test answer fewer still.
 */
const makeServer = (list: Array<Item>, options: {
  readonly cap?: number
  readonly shortfall?: (requestIndex: number, limit: number) => number
  readonly ignoreOffset?: boolean
  readonly total?: (list: ReadonlyArray<Item>) => number
  readonly beforeRequest?: (requestIndex: number, list: Array<Item>) => void
} = {}) => {
  const requests: Array<Request> = []
  const fetch = (offset: number, limit: number) =>
    Effect.sync((): Page => {
      options.beforeRequest?.(requests.length, list)
      requests.push({ offset, limit })
      let n = Math.min(limit, options.cap ?? Number.POSITIVE_INFINITY)
      if (options.shortfall) n = Math.min(n, options.shortfall(requests.length - 1, n))
      const from = options.ignoreOffset ? 0 : offset
      return { items: list.slice(from, from + n), total: options.total?.(list) ?? list.length }
    })
  return { requests, fetch }
}

const options = (
  fetch: (offset: number, limit: number) => Effect.Effect<Page>,
  pageSize: number,
  startOffset?: number,
  concurrency?: number
): Paginate.Options<Item, Page, never, never, NoProgressError> => ({
  pageSize,
  startOffset,
  concurrency,
  fetch,
  key: (item) => item.id,
  onNoProgress: ({ offset, total }) => new NoProgressError(offset, total)
})

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const ceilDiv = (a: number, b: number) => Math.floor((a + b - 1) / b)

// Long lists compare as one string: quick, and a failure still shows where they differ.
const idsOf = (items: ReadonlyArray<Item>): string => items.map((item) => item.id).join(",")

describe("Paginate.items", () => {
  it.effect.prop(
    "emits every item once, in order, with ceil((total - start) / min(pageSize, cap)) requests",
    {
      total: fc.integer({ min: 0, max: 500 }),
      pageSize: fc.integer({ min: 1, max: 50 }),
      cap: fc.integer({ min: 1, max: 60 }),
      start: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 550 }))
    },
    ({ cap, pageSize, start, total }) =>
      Effect.gen(function*() {
        const list = itemsOf(total)
        const server = makeServer(list, { cap })
        const emitted = yield* collect(Paginate.items(options(server.fetch, pageSize, start)))
        expect(idsOf(emitted)).toBe(idsOf(list.slice(start)))

        const perPage = Math.min(pageSize, cap)
        // Past the end, one request is needed to learn that the page is empty.
        const expectedRequests = start >= total ? 1 : ceilDiv(total - start, perPage)
        expect(server.requests.length).toBe(expectedRequests)
        // The offset advances by what was received, and every request asks for pageSize.
        expect(server.requests.every((request, i) => request.offset === start + i * perPage)).toBe(true)
        expect(server.requests.every((request) => request.limit === pageSize)).toBe(true)
      }),
    { fastCheck: { numRuns: 200 } }
  )

  it.effect.prop(
    "follows a server that answers fewer records than asked, a different number each time",
    {
      total: fc.integer({ min: 0, max: 300 }),
      pageSize: fc.integer({ min: 1, max: 50 }),
      answers: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 })
    },
    ({ answers, pageSize, total }) =>
      Effect.gen(function*() {
        const list = itemsOf(total)
        const received: Array<number> = []
        const server = makeServer(list, { shortfall: (i, limit) => Math.min(limit, answers[i % answers.length]!) })
        const emitted = yield* collect(
          Paginate.pages(options(server.fetch, pageSize)).pipe(
            Stream.tap((page) => Effect.sync(() => received.push(page.received))),
            Stream.flatMap((page) => Stream.fromIterable(page.items))
          )
        )
        expect(idsOf(emitted)).toBe(idsOf(list))
        if (total === 0) {
          expect(server.requests.length).toBe(1)
        } else {
          // Every request returned something, and together they returned the list: no request
          // was made after the total was reached.
          expect(received.every((n) => n > 0)).toBe(true)
          expect(received.reduce((a, b) => a + b, 0)).toBe(total)
          expect(server.requests.length).toBe(received.length)
        }
        // Each offset is the previous offset plus what the previous page held.
        let offset = 0
        server.requests.forEach((request, i) => {
          expect(request.offset).toBe(offset)
          offset += received[i] ?? 0
        })
      }),
    { fastCheck: { numRuns: 150 } }
  )

  it.effect("ends when the offset reaches total, without an extra request", () =>
    Effect.gen(function*() {
      for (const [total, expected] of [[30, 3], [25, 3], [10, 1], [1, 1], [11, 2]] as const) {
        const server = makeServer(itemsOf(total))
        const emitted = yield* collect(Paginate.items(options(server.fetch, 10)))
        expect(emitted.length).toBe(total)
        expect(server.requests.length).toBe(expected)
      }
    }))

  it.effect("ends on an empty page even if total says there is more", () =>
    Effect.gen(function*() {
      const list = itemsOf(20)
      const server = makeServer(list, { total: () => 100 })
      const emitted = yield* collect(Paginate.items(options(server.fetch, 10)))
      expect(emitted).toStrictEqual(list)
      expect(server.requests.map((r) => r.offset)).toStrictEqual([0, 10, 20])
    }))

  it.effect("ends after one request on an empty list", () =>
    Effect.gen(function*() {
      const server = makeServer([])
      expect(yield* collect(Paginate.items(options(server.fetch, 10)))).toStrictEqual([])
      expect(server.requests).toStrictEqual([{ offset: 0, limit: 10 }])
    }))

  it.effect("ends on a server that always answers an empty page (limit=0 semantics), without looping", () =>
    Effect.gen(function*() {
      const server = makeServer(itemsOf(50), { cap: 0 })
      expect(yield* collect(Paginate.items(options(server.fetch, 10)))).toStrictEqual([])
      expect(server.requests.length).toBe(1)
    }))

  it.effect("fails with the onNoProgress error on a server that ignores offset, instead of looping", () =>
    Effect.gen(function*() {
      const list = itemsOf(30)
      const server = makeServer(list, { ignoreOffset: true })
      const seen: Array<Item> = []
      const result = yield* Paginate.items(options(server.fetch, 10)).pipe(
        Stream.runForEach((item) => Effect.sync(() => seen.push(item))),
        Effect.either
      )
      expect(result).toStrictEqual(Either.left(new NoProgressError(10, 30)))
      expect(seen).toStrictEqual(list.slice(0, 10))
      expect(server.requests.length).toBe(2)
    }))

  it.effect.prop(
    "a server that ignores offset always fails, after exactly two requests, when the list is longer than a page",
    { total: fc.integer({ min: 2, max: 300 }), pageSize: fc.integer({ min: 1, max: 50 }) },
    ({ pageSize, total }) =>
      Effect.gen(function*() {
        fc.pre(total > pageSize)
        const server = makeServer(itemsOf(total), { ignoreOffset: true })
        const exit = yield* Effect.exit(collect(Paginate.items(options(server.fetch, pageSize))))
        expect(exit).toStrictEqual(Exit.fail(new NoProgressError(pageSize, total)))
        expect(server.requests.length).toBe(2)
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect.prop(
    "items inserted at the head while paging (fewer than a page each time): originals once each, in order",
    {
      total: fc.integer({ min: 0, max: 300 }),
      pageSize: fc.integer({ min: 1, max: 30 }),
      inserts: fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 40 })
    },
    ({ inserts, pageSize, total }) =>
      Effect.gen(function*() {
        const originals = itemsOf(total)
        let fresh = 0
        const server = makeServer([...originals], {
          beforeRequest: (i, list) => {
            if (i === 0) return
            const k = inserts[i % inserts.length]! % pageSize // k < pageSize
            list.unshift(...Array.from({ length: k }, () => ({ id: `new-${fresh++}` })))
          }
        })
        const emitted = yield* collect(Paginate.items(options(server.fetch, pageSize)))
        const ids = emitted.map((item) => item.id)
        expect(new Set(ids).size).toBe(ids.length)
        expect(idsOf(emitted.filter((item) => item.id.startsWith("item-")))).toBe(idsOf(originals))
      }),
    { fastCheck: { numRuns: 150 } }
  )

  it.effect("drops only the repeated items of a page and counts them in `received`", () =>
    Effect.gen(function*() {
      const list = itemsOf(10)
      const server = makeServer(list, {
        beforeRequest: (i, l) => {
          if (i === 1) l.unshift({ id: "new-a" }, { id: "new-b" })
        }
      })
      const pages = yield* collect(Paginate.pages(options(server.fetch, 4)))
      expect(pages.map((p) => ({ offset: p.offset, limit: p.limit, received: p.received, total: p.total })))
        .toStrictEqual([
          { offset: 0, limit: 4, received: 4, total: 10 },
          { offset: 4, limit: 4, received: 4, total: 12 },
          { offset: 8, limit: 4, received: 4, total: 12 }
        ])
      expect(pages.map((p) => p.items.map((item) => item.id))).toStrictEqual([
        ["item-0", "item-1", "item-2", "item-3"],
        ["item-4", "item-5"],
        ["item-6", "item-7", "item-8", "item-9"]
      ])
      // the page as the fetch function returned it is kept, repeats included
      expect(pages[1]!.page.items.map((item) => item.id)).toStrictEqual(["item-2", "item-3", "item-4", "item-5"])
    }))

  it.effect("emits the items of earlier pages, then fails with the fetch error", () =>
    Effect.gen(function*() {
      const list = itemsOf(30)
      let requests = 0
      const fetch = (offset: number, limit: number) =>
        Effect.suspend(() => {
          requests++
          return offset >= 20
            ? Effect.fail("boom" as const)
            : Effect.succeed({ items: list.slice(offset, offset + limit), total: list.length })
        })
      const result = yield* collect(
        Stream.either(Paginate.items({ pageSize: 10, fetch, key: (i: Item) => i.id, onNoProgress: () => "stuck" }))
      )
      expect(result.slice(0, 20)).toStrictEqual(list.slice(0, 20).map(Either.right))
      expect(result[20]).toStrictEqual(Either.left("boom"))
      expect(result.length).toBe(21)
      expect(requests).toBe(3)
    }))
})

describe("Paginate laziness and interruption", () => {
  it.effect("builds the stream without requesting anything", () =>
    Effect.gen(function*() {
      const server = makeServer(itemsOf(100))
      const stream = Paginate.items(options(server.fetch, 10))
      yield* Effect.yieldNow()
      expect(server.requests.length).toBe(0)
      expect(stream).toBeDefined()
    }))

  it.effect("Stream.take(5) with a page size of 100 makes exactly one request", () =>
    Effect.gen(function*() {
      const list = itemsOf(1000)
      const server = makeServer(list)
      const taken = yield* collect(Paginate.items(options(server.fetch, 100)).pipe(Stream.take(5)))
      expect(taken).toStrictEqual(list.slice(0, 5))
      expect(server.requests).toStrictEqual([{ offset: 0, limit: 100 }])
    }))

  it.effect("Stream.take(150) with a page size of 100 makes exactly two requests", () =>
    Effect.gen(function*() {
      const list = itemsOf(1000)
      const server = makeServer(list)
      const taken = yield* collect(Paginate.items(options(server.fetch, 100)).pipe(Stream.take(150)))
      expect(taken).toStrictEqual(list.slice(0, 150))
      expect(server.requests.length).toBe(2)
    }))

  it.effect.prop(
    "taking n items makes ceil(n / pageSize) requests",
    { n: fc.integer({ min: 1, max: 300 }), pageSize: fc.integer({ min: 1, max: 50 }) },
    ({ n, pageSize }) =>
      Effect.gen(function*() {
        const list = itemsOf(400)
        const server = makeServer(list)
        const taken = yield* collect(Paginate.items(options(server.fetch, pageSize)).pipe(Stream.take(n)))
        expect(idsOf(taken)).toBe(idsOf(list.slice(0, n)))
        expect(server.requests.length).toBe(ceilDiv(n, pageSize))
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect("interrupting the stream while page 2 is in flight stops further requests", () =>
    Effect.gen(function*() {
      const list = itemsOf(100)
      const secondStarted = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      let requests = 0
      let interrupted = false
      const fetch = (offset: number, limit: number) =>
        Effect.gen(function*() {
          requests++
          if (offset > 0) {
            yield* Deferred.succeed(secondStarted, undefined)
            yield* Deferred.await(release).pipe(Effect.onInterrupt(() => Effect.sync(() => (interrupted = true))))
          }
          return { items: list.slice(offset, offset + limit), total: list.length }
        })
      const seen: Array<Item> = []
      const fiber = yield* Paginate.items(options(fetch, 10)).pipe(
        Stream.runForEach((item) => Effect.sync(() => seen.push(item))),
        Effect.fork
      )
      yield* Deferred.await(secondStarted)
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(interrupted).toBe(true)
      // Nothing more happens after the interruption, however long we wait.
      yield* Deferred.succeed(release, undefined)
      yield* TestClock.adjust("1 hour")
      yield* Effect.yieldNow()
      expect(requests).toBe(2)
      expect(seen).toStrictEqual(list.slice(0, 10))
    }))
})

describe("Paginate with concurrency", () => {
  it.effect.prop(
    "emits every item once, in order, asking exactly the pages needed of a server that caps limit",
    {
      total: fc.integer({ min: 0, max: 500 }),
      pageSize: fc.integer({ min: 1, max: 50 }),
      cap: fc.integer({ min: 1, max: 60 }),
      start: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 550 })),
      concurrency: fc.integer({ min: 1, max: 8 })
    },
    ({ cap, concurrency, pageSize, start, total }) =>
      Effect.gen(function*() {
        const list = itemsOf(total)
        const server = makeServer(list, { cap })
        const emitted = yield* collect(Paginate.items(options(server.fetch, pageSize, start, concurrency)))
        expect(idsOf(emitted)).toBe(idsOf(list.slice(start)))
        const perPage = Math.min(pageSize, cap)
        const expectedRequests = start >= total ? 1 : ceilDiv(total - start, perPage)
        expect(server.requests.length).toBe(expectedRequests)
        expect(new Set(server.requests.map((r) => r.offset)).size).toBe(server.requests.length)
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect.prop(
    "emits every item once, in order, from a server that answers fewer records than asked",
    {
      total: fc.integer({ min: 0, max: 300 }),
      pageSize: fc.integer({ min: 1, max: 50 }),
      answers: fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
      concurrency: fc.integer({ min: 2, max: 8 })
    },
    ({ answers, concurrency, pageSize, total }) =>
      Effect.gen(function*() {
        const list = itemsOf(total)
        const server = makeServer(list, { shortfall: (i, limit) => Math.min(limit, answers[i % answers.length]!) })
        const emitted = yield* collect(Paginate.items(options(server.fetch, pageSize, 0, concurrency)))
        expect(idsOf(emitted)).toBe(idsOf(list))
        // nothing is asked past the end the server announced
        expect(server.requests.every((r) => r.offset === 0 || r.offset < total)).toBe(true)
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect("fails with the onNoProgress error on a server that ignores offset", () =>
    Effect.gen(function*() {
      const server = makeServer(itemsOf(100), { ignoreOffset: true })
      const exit = yield* Effect.exit(collect(Paginate.items(options(server.fetch, 10, 0, 4))))
      expect(exit).toStrictEqual(Exit.fail(new NoProgressError(10, 100)))
    }))

  it.effect("Stream.take(5) makes exactly one request", () =>
    Effect.gen(function*() {
      const server = makeServer(itemsOf(1000))
      const taken = yield* collect(Paginate.items(options(server.fetch, 100, 0, 8)).pipe(Stream.take(5)))
      expect(taken.length).toBe(5)
      expect(server.requests.length).toBe(1)
    }))

  it.effect("interrupting the stream while a window is in flight interrupts it and stops further requests", () =>
    Effect.gen(function*() {
      const list = itemsOf(100)
      const windowStarted = yield* Deferred.make<void>()
      let requests = 0
      let interrupted = 0
      const fetch = (offset: number, limit: number) =>
        Effect.gen(function*() {
          requests++
          if (offset > 0) {
            if (requests === 4) yield* Deferred.succeed(windowStarted, undefined)
            yield* Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => interrupted++)))
          }
          return { items: list.slice(offset, offset + limit), total: list.length }
        })
      const fiber = yield* Paginate.items(options(fetch, 10, 0, 3)).pipe(Stream.runDrain, Effect.fork)
      yield* Deferred.await(windowStarted)
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("1 hour")
      expect(requests).toBe(4) // the first page alone, then a window of 3
      expect(interrupted).toBe(3)
    }))

  // Pages of a window are in flight together, so the server may answer a later page before an
  // earlier one. A task created between those answers shifts the list under the earlier page.
  it.effect("items inserted at the head while a window is in flight: every original is emitted once", () =>
    Effect.gen(function*() {
      const originals = itemsOf(40)
      const list = [...originals]
      const requests: Array<number> = []
      const answer = (offset: number, limit: number): Page => ({
        items: list.slice(offset, offset + limit),
        total: list.length
      })
      const fetch = (offset: number, limit: number) =>
        Effect.gen(function*() {
          requests.push(offset)
          if (offset === 0) return answer(offset, limit)
          // the page at 20 is answered first, then 3 tasks are created, then the page at 10
          if (offset === 10) {
            yield* Effect.yieldNow()
            yield* Effect.yieldNow()
          }
          const page = answer(offset, limit)
          if (offset === 20) list.unshift({ id: "new-0" }, { id: "new-1" }, { id: "new-2" })
          return page
        })
      const emitted = yield* collect(Paginate.items(options(fetch, 10, 0, 2)))
      const ids = emitted.map((item) => item.id)
      expect(new Set(ids).size).toBe(ids.length)
      expect(idsOf(emitted.filter((item) => item.id.startsWith("item-")))).toBe(idsOf(originals))
    }))
})
