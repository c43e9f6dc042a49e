/**
 * The sliding window of `Paginate` (concurrency > 1) against a server that answers each request
 * when the test says so, so that answers come in any order: what the stream emits, how many
 * requests it keeps in flight, how far it runs ahead of the consumer, and what it does when a page
 * comes short, fails, or the list changes while pages are in flight.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Exit, FastCheck as fc, Fiber, Option, Stream } from "effect"
import * as Paginate from "../src/Paginate.js"

interface Item {
  readonly id: string
}

interface Page {
  readonly items: ReadonlyArray<Item>
  readonly total: number
}

class PageFailed {
  readonly _tag = "PageFailed"
  constructor(readonly offset: number) {}
}

class NoProgress {
  readonly _tag = "NoProgress"
  constructor(readonly offset: number) {}
}

const itemsOf = (n: number, prefix = "item"): Array<Item> =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}` }))

const idsOf = (items: ReadonlyArray<Item>): string => items.map((item) => item.id).join(",")

/** A request the server holds until the test answers it. */
interface Pending {
  readonly offset: number
  readonly answer: Deferred.Deferred<void>
}

/**
 * An offset/limit server over a mutable list that answers a request only when the test says so
 * (`answer`), so that a test chooses the order of the answers. It counts the requests in flight
 * (an interrupted one leaves the count too) and, at each request, how many pages were requested
 * and not yet emitted by the stream.
 */
const makeServer = (list: Array<Item>, options: {
  readonly cap?: number | undefined
  /** At most this many items in the answer to the request of this index. */
  readonly shortfall?: ((requestIndex: number) => number) | undefined
  readonly failAt?: number | undefined
} = {}) => {
  const stats = { requests: [] as Array<number>, inFlight: 0, maxInFlight: 0, emittedPages: 0, maxAhead: 0 }
  const pending: Array<Pending> = []
  const fetch = (offset: number, limit: number): Effect.Effect<Page, PageFailed> =>
    Effect.flatMap(Deferred.make<void>(), (answer) => {
      const index = stats.requests.length
      stats.requests.push(offset)
      stats.inFlight++
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight)
      stats.maxAhead = Math.max(stats.maxAhead, stats.requests.length - stats.emittedPages)
      pending.push({ offset, answer })
      return Deferred.await(answer).pipe(
        Effect.zipRight(Effect.suspend(() => {
          if (offset === options.failAt) return Effect.fail(new PageFailed(offset))
          const n = Math.min(limit, options.cap ?? limit, options.shortfall?.(index) ?? limit)
          return Effect.succeed({ items: list.slice(offset, offset + n), total: list.length })
        })),
        Effect.ensuring(Effect.sync(() => stats.inFlight--))
      )
    })
  /** Answers the `choice`-th request waiting (modulo how many wait). */
  const answerOne = (choice: number) =>
    Effect.suspend(() => {
      const [request] = pending.splice(choice % pending.length, 1)
      return Deferred.succeed(request!.answer, undefined)
    })
  return { stats, fetch, pending, answerOne }
}

type Server = ReturnType<typeof makeServer>

const pagesOf = (server: Server, pageSize: number, concurrency: number) =>
  Paginate.pages<Item, Page, PageFailed, never, NoProgress>({
    pageSize,
    concurrency,
    fetch: server.fetch,
    key: (item) => item.id,
    onNoProgress: ({ offset }) => new NoProgress(offset)
  }).pipe(Stream.tap(() => Effect.sync(() => server.stats.emittedPages++)))

/** Every item the stream emits, and how it ended. */
const collect = (stream: Stream.Stream<Paginate.Emitted<Item, Page>, PageFailed | NoProgress>) => {
  const emitted: Array<Item> = []
  return Effect.map(
    Effect.exit(Stream.runForEach(stream, (page) => Effect.sync(() => emitted.push(...page.items)))),
    (exit) => ({ exit, emitted })
  )
}

// Lets every fiber run until it waits for an answer (or the stream ends).
const settle = Effect.repeatN(Effect.yieldNow(), 50)

/**
 * Runs the stream while answering the requests waiting in the order `choices` says, until it
 * ends; `beforeAnswer` runs before each answer.
 */
const runAnswering = <A, E>(
  server: Server,
  effect: Effect.Effect<A, E>,
  choices: ReadonlyArray<number>,
  beforeAnswer: () => void = () => {}
) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(effect)
    for (let step = 0; step < 10_000; step++) {
      yield* settle
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return yield* done.value
      if (server.pending.length === 0) return yield* Effect.dieMessage("the stream waits, and no request does")
      beforeAnswer()
      yield* server.answerOne(choices[step % choices.length]!)
    }
    return yield* Effect.dieMessage("the stream did not end after 10,000 answers")
  })

/** Which of the requests waiting is answered next, each time. */
const choices = fc.array(fc.nat({ max: 15 }), { minLength: 1, maxLength: 40 })
const cyclic = (values: ReadonlyArray<number>) => (i: number) => values[i % values.length]!

describe("Paginate sliding window", () => {
  it.effect.prop(
    "every item once, in order, whatever the order of the answers; at most `concurrency` in flight and 2 x concurrency ahead",
    {
      total: fc.integer({ min: 0, max: 400 }),
      pageSize: fc.integer({ min: 1, max: 40 }),
      cap: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
      concurrency: fc.integer({ min: 2, max: 8 }),
      choices
    },
    ({ cap, choices, concurrency, pageSize, total }) =>
      Effect.gen(function*() {
        const list = itemsOf(total)
        const server = makeServer(list, { cap })
        const { emitted, exit } = yield* runAnswering(server, collect(pagesOf(server, pageSize, concurrency)), choices)
        expect(exit).toStrictEqual(Exit.void)
        expect(idsOf(emitted)).toBe(idsOf(list))

        // Exactly the pages of the list, each asked once, in order of offset.
        const stride = Math.min(pageSize, cap ?? pageSize)
        const pages = Math.max(1, Math.ceil(total / stride))
        expect(server.stats.requests).toStrictEqual(Array.from({ length: pages }, (_, i) => i * stride))
        // The first page alone, then as many in flight as allowed, and never more.
        expect(server.stats.maxInFlight).toBe(Math.min(concurrency, Math.max(1, pages - 1)))
        // Pages requested and not yet emitted: in flight, or answered and held behind a slower one.
        expect(server.stats.maxAhead).toBeLessThanOrEqual(2 * concurrency)
        expect(server.stats.inFlight).toBe(0)
      }),
    { fastCheck: { numRuns: 200 } }
  )

  it.effect.prop(
    "a server that answers fewer items than asked, here and there: every item once, in order",
    {
      total: fc.integer({ min: 1, max: 300 }),
      pageSize: fc.integer({ min: 2, max: 40 }),
      concurrency: fc.integer({ min: 2, max: 8 }),
      choices,
      // 0 answers in full; otherwise at most that many items.
      shortfall: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })), { minLength: 1, maxLength: 20 })
    },
    ({ choices, concurrency, pageSize, shortfall, total }) =>
      Effect.gen(function*() {
        const list = itemsOf(total)
        const server = makeServer(list, { shortfall: (i) => cyclic(shortfall)(i) || pageSize })
        const { emitted, exit } = yield* runAnswering(server, collect(pagesOf(server, pageSize, concurrency)), choices)
        expect(exit).toStrictEqual(Exit.void)
        expect(idsOf(emitted)).toBe(idsOf(list))
        // Requests that assumed a wrong stride were interrupted, and waited for, before any other.
        expect(server.stats.maxInFlight).toBeLessThanOrEqual(concurrency)
        // Nothing asked past the end the server announced; nothing left in flight.
        expect(server.stats.requests.every((offset) => offset < total)).toBe(true)
        expect(server.stats.inFlight).toBe(0)
      }),
    { fastCheck: { numRuns: 200 } }
  )

  it.effect.prop(
    "a page fails while others are in flight: the items before it, then its error; nothing left in flight",
    {
      pages: fc.integer({ min: 2, max: 30 }),
      pageSize: fc.integer({ min: 1, max: 20 }),
      failing: fc.nat(),
      concurrency: fc.integer({ min: 2, max: 8 }),
      choices
    },
    ({ choices, concurrency, failing, pageSize, pages }) =>
      Effect.gen(function*() {
        const list = itemsOf(pages * pageSize)
        const failAt = (failing % pages) * pageSize
        const server = makeServer(list, { failAt })
        const { emitted, exit } = yield* runAnswering(server, collect(pagesOf(server, pageSize, concurrency)), choices)
        expect(exit).toStrictEqual(Exit.fail(new PageFailed(failAt)))
        expect(idsOf(emitted)).toBe(idsOf(list.slice(0, failAt)))
        expect(server.stats.inFlight).toBe(0)
        expect(server.stats.maxInFlight).toBeLessThanOrEqual(concurrency)
      }),
    { fastCheck: { numRuns: 200 } }
  )

  it.effect.prop(
    "items created at the head between answers (fewer than a page over 2 x concurrency + 2 answers): every original once, in order",
    {
      total: fc.integer({ min: 0, max: 300 }),
      pageSize: fc.integer({ min: 2, max: 30 }),
      concurrency: fc.integer({ min: 2, max: 8 }),
      choices,
      // Before each answer, how many items to create (0 for none).
      created: fc.array(fc.integer({ min: 0, max: 29 }), { minLength: 1, maxLength: 20 })
    },
    ({ choices, concurrency, created, pageSize, total }) =>
      Effect.gen(function*() {
        const originals = itemsOf(total)
        const list = [...originals]
        const server = makeServer(list)
        // Repeats are dropped by key, which holds only while fewer than a page of items is created
        // between the answers to two pages accepted one after the other: at most 2 x concurrency + 2
        // answers (the window ahead of a page, then the page fetched again alone if the list
        // changed). Items are created only while fewer than a page was created over that many.
        const createdBeforeAnswer: Array<number> = []
        const { emitted, exit } = yield* runAnswering(
          server,
          collect(pagesOf(server, pageSize, concurrency)),
          choices,
          () => {
            const recently = createdBeforeAnswer.slice(-(2 * concurrency + 1)).reduce((a, b) => a + b, 0)
            let n = cyclic(created)(createdBeforeAnswer.length) % pageSize
            if (recently + n >= pageSize) n = 0
            list.unshift(...Array.from({ length: n }, (_, i) => ({ id: `new-${createdBeforeAnswer.length}-${i}` })))
            createdBeforeAnswer.push(n)
          }
        )
        expect(exit).toStrictEqual(Exit.void)
        const ids = emitted.map((item) => item.id)
        expect(new Set(ids).size).toBe(ids.length)
        expect(idsOf(emitted.filter((item) => item.id.startsWith("item-")))).toBe(idsOf(originals))
        expect(server.stats.maxInFlight).toBeLessThanOrEqual(concurrency)
        expect(server.stats.inFlight).toBe(0)
      }),
    { fastCheck: { numRuns: 200 } }
  )

  it.effect.prop(
    "interrupted after any number of answers: nothing left in flight, and no request follows",
    {
      pages: fc.integer({ min: 1, max: 30 }),
      concurrency: fc.integer({ min: 2, max: 8 }),
      choices,
      answers: fc.nat({ max: 40 })
    },
    ({ answers, choices, concurrency, pages }) =>
      Effect.gen(function*() {
        const server = makeServer(itemsOf(pages * 10))
        const fiber = yield* Effect.fork(collect(pagesOf(server, 10, concurrency)))
        for (let i = 0; i < answers; i++) {
          yield* settle
          if (server.pending.length === 0) break
          yield* server.answerOne(choices[i % choices.length]!)
        }
        yield* settle
        yield* Fiber.interrupt(fiber)
        expect(server.stats.inFlight).toBe(0)
        const sent = server.stats.requests.length
        while (server.pending.length > 0) yield* server.answerOne(0)
        yield* settle
        expect(server.stats.requests.length).toBe(sent)
      }),
    { fastCheck: { numRuns: 200 } }
  )

  it.effect("a slow page holds no slot but its own: the next request goes out as soon as another is answered", () =>
    Effect.gen(function*() {
      const list = itemsOf(100)
      const server = makeServer(list)
      const answer = (offset: number) => server.answerOne(server.pending.findIndex((r) => r.offset === offset))
      const fiber = yield* Effect.fork(collect(pagesOf(server, 10, 2)))
      yield* settle
      yield* answer(0) // the first page, alone
      yield* settle
      expect(server.stats.requests).toStrictEqual([0, 10, 20])
      yield* answer(20) // answered before 10: 30 goes out
      yield* settle
      expect(server.stats.requests).toStrictEqual([0, 10, 20, 30])
      yield* answer(30) // 40 goes out: 10 to 40 are the four pages ahead of the consumer
      yield* settle
      expect(server.stats.requests).toStrictEqual([0, 10, 20, 30, 40])
      yield* answer(40) // the window is full until 10 is emitted
      yield* settle
      expect(server.stats.requests).toStrictEqual([0, 10, 20, 30, 40])
      expect(server.stats.emittedPages).toBe(1)
      yield* answer(10) // 10 to 40 emitted; 50 and 60 go out
      yield* settle
      expect(server.stats.emittedPages).toBe(5)
      expect(server.stats.requests).toStrictEqual([0, 10, 20, 30, 40, 50, 60])
      while (server.pending.length > 0) {
        yield* server.answerOne(0)
        yield* settle
      }
      const { emitted, exit } = yield* Fiber.join(fiber)
      expect(exit).toStrictEqual(Exit.void)
      expect(idsOf(emitted)).toBe(idsOf(list))
    }))

  it.effect("a page that never comes: 2 x concurrency pages requested past the consumer, then nothing", () =>
    Effect.gen(function*() {
      const server = makeServer(itemsOf(200))
      const fiber = yield* Effect.fork(collect(pagesOf(server, 10, 3)))
      // Every request is answered but the one at 10.
      for (let i = 0; i < 20; i++) {
        yield* settle
        const waiting = server.pending.findIndex((r) => r.offset !== 10)
        if (waiting >= 0) yield* server.answerOne(waiting)
      }
      // The first page, then the stalled one and the five after it: three in flight at most.
      expect(server.stats.requests).toStrictEqual([0, 10, 20, 30, 40, 50, 60])
      expect(server.stats.emittedPages).toBe(1)
      expect(server.stats.inFlight).toBe(1)
      yield* Fiber.interrupt(fiber)
      expect(server.stats.inFlight).toBe(0)
    }))

  it.effect("a short page closes the window: requests that cannot be interrupted are awaited, and their answers dropped", () =>
    Effect.gen(function*() {
      const list = itemsOf(100)
      // The page at 10 holds 5 items: the request at 20 assumed 10, and nothing is asked after
      // a short page. Run uninterruptibly, the requests are too: closing the window waits for
      // 20's answer, which must start nothing.
      const server = makeServer(list, { shortfall: (i) => (i === 1 ? 5 : 10) })
      const { emitted, exit } = yield* runAnswering(
        server,
        Effect.uninterruptible(collect(pagesOf(server, 10, 2))),
        [0]
      )
      expect(exit).toStrictEqual(Exit.void)
      expect(idsOf(emitted)).toBe(idsOf(list))
      expect(server.stats.requests).toStrictEqual([0, 10, 20, ...Array.from({ length: 9 }, (_, i) => 15 + i * 10)])
      expect(server.stats.maxInFlight).toBe(2)
    }))

  it.effect("Stream.take: the requests still in flight are interrupted when the stream ends", () =>
    Effect.gen(function*() {
      const server = makeServer(itemsOf(1000))
      const items = Stream.flattenIterables(Stream.map(pagesOf(server, 10, 4), (page) => page.items))
      const taken = yield* runAnswering(
        server,
        Effect.map(Stream.runCollect(Stream.take(items, 25)), Chunk.toReadonlyArray),
        [3, 1, 2]
      )
      expect(idsOf(taken)).toBe(idsOf(itemsOf(25)))
      expect(server.stats.inFlight).toBe(0)
      // Pages 0 and 10 emitted, then at most 2 x 4 pages from the one the take ended on.
      expect(server.stats.requests.length).toBeLessThanOrEqual(2 + 2 * 4)
    }))
})
