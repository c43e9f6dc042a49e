import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, FastCheck as fc, Option, Stream } from "effect"
import type { DcsClientTest } from "../src/index.js"
import { DcsClient, DcsError } from "../src/index.js"
import type { OfflineKeyAnalysisRecord, OfflineKeyAnalysisStatus } from "../src/OfflineKeyAnalysis.js"
import { oneOfEach } from "./utils/errors.js"
import { task, tasksOf } from "./utils/tasks.js"

const { TestClient } = DcsClient

const calls = Effect.flatMap(TestClient, (client) => client.calls)
const queries = Effect.map(
  calls,
  (all) => all.flatMap((call) => call.operation === "listOfflineKeyAnalysisTasks" ? [call.query] : [])
)

/** The offset a list call asked for; undefined for any other call. */
const offsetOf = (call: DcsClientTest.TestCall): number | undefined =>
  call.operation === "listOfflineKeyAnalysisTasks" ? call.query.offset : undefined

// An error that went through a span comes back as a Proxy of the one failed with (Effect
// attaches the span to it): compare what a user sees, not references.
const expectSameError = (actual: DcsError.DcsError, expected: DcsError.DcsError) => {
  expect(actual).toBeInstanceOf(expected.constructor)
  expect({ ...actual }).toStrictEqual({ ...expected })
  expect(actual.message).toBe(expected.message)
}

// Errors a stream page raises say at which offset it failed (to resume with startOffset); errors
// raised before anything is sent, and paging errors, carry their own fields only.
const expectSameStreamError = (actual: DcsError.DcsError, expected: DcsError.DcsError, offset: number) => {
  expect(actual).toBeInstanceOf(expected.constructor)
  const keepsOwnFields = expected._tag === "DcsInvalidRequest" || expected._tag === "DcsPaginationError"
  expect({ ...actual }).toStrictEqual(keepsOwnFields ? { ...expected } : { ...expected, offset })
  if (!keepsOwnFields) expect(actual.message).toContain(`offset ${offset}`)
}

const withOffset = (offset: number) => (error: DcsError.DcsInternalServerError) =>
  new DcsError.DcsInternalServerError({ ...error, offset })

const ids = (records: Iterable<OfflineKeyAnalysisRecord>) => Array.from(records, (record) => record.id)

describe("DcsClient.layerTest: the acceptance snippet", () => {
  it.effect("type-checks and yields every task", () =>
    Effect.gen(function*() {
      const tasks = tasksOf(250)
      const program: Effect.Effect<Chunk.Chunk<OfflineKeyAnalysisRecord>, DcsError.DcsError> = DcsClient
        .streamOfflineKeyAnalysisTasks({ instanceId: "i" }).pipe(
          Stream.runCollect,
          Effect.provide(DcsClient.layerTest({ tasks }))
        )
      const collected = yield* program
      expect(Chunk.toReadonlyArray(collected)).toEqual(tasks)
    }))

  it.effect("yields nothing, after one call, for an instance with no tasks", () =>
    Effect.gen(function*() {
      const collected = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "i" }).pipe(Stream.runCollect)
      expect(Chunk.size(collected)).toBe(0)
      expect(yield* queries).toEqual([{ instanceId: "i", offset: 0, limit: 100, status: undefined }])
    }).pipe(Effect.provide(DcsClient.layerTest())))
})

describe("DcsClient.layerTest: paging like the server", () => {
  const tasks = tasksOf(25)

  it.effect("defaults to offset 0 and limit 10, and reports the total", () =>
    Effect.gen(function*() {
      const page = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "inst" })
      expect(page.total).toBe(25)
      expect(page.records).toEqual(tasks.slice(0, 10))
      expect(page.instanceId).toEqual(Option.some("inst"))
      expect(yield* queries).toEqual([{ instanceId: "inst", offset: undefined, limit: undefined, status: undefined }])
    }).pipe(Effect.provide(DcsClient.layerTest({ tasks }))))

  it.effect("honours offset and limit", () =>
    Effect.gen(function*() {
      const page = (offset: number | undefined, limit: number | undefined) =>
        DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "inst", offset, limit }).pipe(
          Effect.map((response) => ({ total: response.total, ids: ids(response.records) }))
        )
      expect(yield* page(20, undefined)).toEqual({ total: 25, ids: ids(tasks.slice(20)) })
      expect(yield* page(3, 4)).toEqual({ total: 25, ids: ids(tasks.slice(3, 7)) })
      expect(yield* page(25, 10)).toEqual({ total: 25, ids: [] })
      expect(yield* page(1000, 10)).toEqual({ total: 25, ids: [] })
      expect(yield* page(0, 0)).toEqual({ total: 25, ids: [] })
      expect(yield* page(0, 1000)).toEqual({ total: 25, ids: ids(tasks) })
    }).pipe(Effect.provide(DcsClient.layerTest({ tasks }))))

  it.effect("filters by status, and total counts only the matching tasks", () =>
    Effect.gen(function*() {
      const failed = tasks.filter((t) => t.status === "failed")
      const page = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "inst", status: "failed", limit: 3 })
      expect(page.total).toBe(failed.length)
      expect(page.records).toEqual(failed.slice(0, 3))
      const all = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "inst", status: "failed", pageSize: 2 })
        .pipe(Stream.runCollect)
      expect(ids(all)).toEqual(ids(failed))
    }).pipe(Effect.provide(DcsClient.layerTest({ tasks }))))

  it.effect("never matches an unrecognized status with a filter, but lists it unfiltered", () =>
    Effect.gen(function*() {
      const odd = task(99, { _tag: "Unrecognized", status: "paused" })
      yield* Effect.flatMap(TestClient, (client) => client.setTasks([odd, task(1, "success")]))
      const all = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "x" })
      expect(all.records).toEqual([odd, task(1, "success")])
      const success = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "x", status: "success" })
      expect(success.total).toBe(1)
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("maxLimit caps every page; the stream still yields everything", () =>
    Effect.gen(function*() {
      const page = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "inst", limit: 50 })
      expect(page.records).toEqual(tasks.slice(0, 7))
      expect(page.total).toBe(25)
      const all = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "inst" }).pipe(Stream.runCollect)
      expect(ids(all)).toEqual(ids(tasks))
      // 1 list call + ceil(25 / 7) = 4 stream pages, offsets advancing by what was received
      expect((yield* queries).slice(1).map((q) => [q.offset, q.limit])).toEqual([[0, 100], [7, 100], [14, 100], [
        21,
        100
      ]])
    }).pipe(Effect.provide(DcsClient.layerTest({ tasks, maxLimit: 7 }))))

  it.effect.prop(
    "the stream yields every matching task once, in order, with ceil(matching / min(pageSize, maxLimit)) calls",
    {
      n: fc.integer({ min: 0, max: 120 }),
      pageSize: fc.integer({ min: 1, max: 40 }),
      maxLimit: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
      status: fc.constantFrom<OfflineKeyAnalysisStatus | undefined>(
        undefined,
        "waiting",
        "running",
        "success",
        "failed"
      )
    },
    ({ maxLimit, n, pageSize, status }) => {
      const tasks = tasksOf(n)
      const matching = status === undefined ? tasks : tasks.filter((t) => t.status === status)
      return Effect.gen(function*() {
        const all = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "i", pageSize, status }).pipe(
          Stream.runCollect
        )
        expect(ids(all)).toEqual(ids(matching))
        const perPage = Math.min(pageSize, maxLimit ?? pageSize)
        const expected = matching.length === 0 ? 1 : Math.ceil(matching.length / perPage)
        expect((yield* calls).length).toBe(expected)
      }).pipe(Effect.provide(DcsClient.layerTest({ tasks, maxLimit })))
    },
    { fastCheck: { numRuns: 60 } }
  )

  it.effect.prop(
    "with concurrency, the stream still yields every matching task once, in order, and asks no page twice",
    {
      n: fc.integer({ min: 0, max: 200 }),
      pageSize: fc.integer({ min: 1, max: 40 }),
      maxLimit: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
      concurrency: fc.integer({ min: 1, max: 8 }),
      startOffset: fc.oneof(fc.constant(0), fc.nat({ max: 220 }))
    },
    ({ concurrency, maxLimit, n, pageSize, startOffset }) => {
      const tasks = tasksOf(n)
      return Effect.gen(function*() {
        const all = yield* DcsClient.streamOfflineKeyAnalysisTasks({
          instanceId: "i",
          pageSize,
          concurrency,
          startOffset
        })
          .pipe(Stream.runCollect)
        expect(ids(all)).toEqual(ids(tasks.slice(startOffset)))
        const offsets = (yield* queries).map((q) => q.offset)
        expect(new Set(offsets).size).toBe(offsets.length)
        // a server that only caps limit is followed with exactly the pages needed
        const perPage = Math.min(pageSize, maxLimit ?? pageSize)
        const expected = startOffset >= n ? 1 : Math.ceil((n - startOffset) / perPage)
        expect(offsets.length).toBe(expected)
      }).pipe(Effect.provide(DcsClient.layerTest({ tasks, maxLimit })))
    },
    { fastCheck: { numRuns: 60 } }
  )

  it.effect("with concurrency, Stream.take(5) still makes one call", () =>
    Effect.gen(function*() {
      const five = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "i", concurrency: 8 }).pipe(
        Stream.take(5),
        Stream.runCollect
      )
      expect(Chunk.size(five)).toBe(5)
      expect((yield* calls).length).toBe(1)
    }).pipe(Effect.provide(DcsClient.layerTest({ tasks: tasksOf(1000) }))))

  it.effect("streams from startOffset", () =>
    Effect.gen(function*() {
      const rest = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "i", startOffset: 20, pageSize: 3 })
        .pipe(Stream.runCollect)
      expect(ids(rest)).toEqual(ids(tasks.slice(20)))
    }).pipe(Effect.provide(DcsClient.layerTest({ tasks }))))

  it.effect("streamOfflineKeyAnalysisTaskPages gives offset, limit, total, records, received and requestId", () =>
    Effect.gen(function*() {
      const pages = yield* DcsClient.streamOfflineKeyAnalysisTaskPages({ instanceId: "inst", pageSize: 10 }).pipe(
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray)
      )
      expect(pages.map((p) => ({ ...p, records: ids(p.records) }))).toEqual([
        {
          offset: 0,
          limit: 10,
          total: 25,
          records: ids(tasks.slice(0, 10)),
          received: 10,
          requestId: Option.some("test-1")
        },
        {
          offset: 10,
          limit: 10,
          total: 25,
          records: ids(tasks.slice(10, 20)),
          received: 10,
          requestId: Option.some("test-2")
        },
        {
          offset: 20,
          limit: 10,
          total: 25,
          records: ids(tasks.slice(20)),
          received: 5,
          requestId: Option.some("test-3")
        }
      ])
      expect(pages.every((p) => Option.isSome(p.requestId))).toBe(true)
    }).pipe(Effect.provide(DcsClient.layerTest({ tasks }))))

  it.effect("the record stream is lazy: taking 5 makes one call", () =>
    Effect.gen(function*() {
      const five = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "i" }).pipe(
        Stream.take(5),
        Stream.runCollect
      )
      expect(ids(five)).toEqual(ids(tasksOf(5)))
      expect((yield* calls).length).toBe(1)
    }).pipe(Effect.provide(DcsClient.layerTest({ tasks: tasksOf(1000) }))))

  it.effect("tasks created while a stream runs push the list down: none is emitted twice", () =>
    Effect.gen(function*() {
      const control = yield* TestClient
      const original = tasksOf(30)
      let created = 0
      const seen = yield* DcsClient.streamOfflineKeyAnalysisTaskPages({ instanceId: "i", pageSize: 10 }).pipe(
        Stream.tap(() => {
          created += 3
          // the service lists newest first: new tasks go to the head
          return control.setTasks([...tasksOf(created, 1000).reverse(), ...original])
        }),
        Stream.flatMap((page) => Stream.fromIterable(page.records)),
        Stream.runCollect
      )
      expect(ids(seen)).toEqual(ids(original))
    }).pipe(Effect.provide(DcsClient.layerTest({ tasks: tasksOf(30) }))))
})

describe("DcsClient.layerTest: failures and controls", () => {
  it.effect("failWith fails a list call and a stream with any DcsError", () =>
    Effect.gen(function*() {
      for (const error of oneOfEach) {
        const layer = DcsClient.layerTest({ tasks: tasksOf(3), failWith: () => error })
        const listed = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "i" }).pipe(
          Effect.flip,
          Effect.provide(layer)
        )
        expectSameError(listed, error)
        const streamed = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "i" }).pipe(
          Stream.runCollect,
          Effect.flip,
          Effect.provide(layer)
        )
        expectSameStreamError(streamed, error, 0)
      }
    }))

  it.effect("failWith sees the call: a stream can fail on its second page, after the first", () =>
    Effect.gen(function*() {
      const error = new DcsError.DcsInternalServerError({ status: 500, errorCode: "DCS.5000", errorMsg: "oops" })
      const result = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "i", pageSize: 2 }).pipe(
        Stream.either,
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray)
      )
      expect(result).toEqual([Either.right(task(0)), Either.right(task(1)), Either.left(withOffset(2)(error))])
      // the failing call was made (and is recorded)
      expect((yield* queries).map((q) => q.offset)).toEqual([0, 2])
      // and failures can be switched off
      yield* Effect.flatMap(TestClient, (client) => client.setFailWith(undefined))
      const all = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "i", pageSize: 2 }).pipe(
        Stream.runCollect
      )
      expect(ids(all)).toEqual(ids(tasksOf(5)))
    }).pipe(Effect.provide(DcsClient.layerTest({
      tasks: tasksOf(5),
      failWith: (call) =>
        offsetOf(call) === 2
          ? new DcsError.DcsInternalServerError({ status: 500, errorCode: "DCS.5000", errorMsg: "oops" })
          : undefined
    }))))

  // A failed stream says where to resume: every record before error.offset was emitted, so
  // startOffset: error.offset continues without a gap and without a repeat.
  const resumeProperty = (concurrency: fc.Arbitrary<number>) =>
    ({
      n: fc.integer({ min: 1, max: 150 }),
      pageSize: fc.integer({ min: 1, max: 30 }),
      maxLimit: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
      failingPage: fc.nat({ max: 20 }),
      concurrency
    }) as const

  const resumeCheck = (
    { concurrency, failingPage, maxLimit, n, pageSize }: {
      n: number
      pageSize: number
      maxLimit: number | undefined
      failingPage: number
      concurrency: number
    }
  ) => {
    const tasks = tasksOf(n)
    const perPage = Math.min(pageSize, maxLimit ?? pageSize)
    const failAt = (failingPage % Math.ceil(n / perPage)) * perPage // the offset of one of the pages
    return Effect.gen(function*() {
      const control = yield* TestClient
      const first = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "i", pageSize, concurrency }).pipe(
        Stream.either,
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray)
      )
      const emitted = first.filter(Either.isRight).map((e) => e.right)
      const failure = first.find(Either.isLeft)
      if (failure === undefined) return expect.fail("the stream did not fail")
      const error = failure.left
      if (error._tag !== "DcsInternalServerError") return expect.fail(`unexpected ${error._tag}`)
      expect(error.offset).toBeDefined()
      yield* control.setFailWith(undefined)
      const rest = yield* DcsClient.streamOfflineKeyAnalysisTasks({
        instanceId: "i",
        pageSize,
        concurrency,
        startOffset: error.offset!
      }).pipe(Stream.runCollect)
      expect([...ids(emitted), ...ids(rest)]).toEqual(ids(tasks))
    }).pipe(Effect.provide(DcsClient.layerTest({
      tasks,
      maxLimit,
      failWith: (call) =>
        offsetOf(call) === failAt
          ? new DcsError.DcsInternalServerError({ status: 500, errorCode: "E", errorMsg: "down" })
          : undefined
    })))
  }

  it.effect.prop(
    "a sequential stream that fails resumes at error.offset without a gap",
    resumeProperty(fc.constant(1)),
    resumeCheck,
    { fastCheck: { numRuns: 50 } }
  )

  it.effect.prop(
    "a concurrent stream that fails resumes at error.offset without a gap",
    resumeProperty(fc.integer({ min: 2, max: 6 })),
    resumeCheck,
    { fastCheck: { numRuns: 50 } }
  )

  it.effect("concurrency 4, the page at offset 30 fails: the error's offset is where the emitted records end", () =>
    Effect.gen(function*() {
      const result = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "i", pageSize: 10, concurrency: 4 })
        .pipe(Stream.either, Stream.runCollect, Effect.map(Chunk.toReadonlyArray))
      const emitted = result.filter(Either.isRight).length
      const error = result.find(Either.isLeft)?.left
      expect(error?._tag).toBe("DcsInternalServerError")
      expect({ emitted, offset: error?._tag === "DcsInternalServerError" ? error.offset : undefined }).toEqual({
        emitted,
        offset: emitted
      })
    }).pipe(Effect.provide(DcsClient.layerTest({
      tasks: tasksOf(100),
      failWith: (call) =>
        offsetOf(call) === 30
          ? new DcsError.DcsInternalServerError({ status: 500, errorCode: "E", errorMsg: "down" })
          : undefined
    }))))

  it.effect("records every call, in order, with its validated query", () =>
    Effect.gen(function*() {
      yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "a", offset: 5, limit: 2, status: "running" })
      yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "b" })
      yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "c", pageSize: 4, status: "success" }).pipe(
        Stream.runDrain
      )
      expect(yield* calls).toEqual([
        {
          operation: "listOfflineKeyAnalysisTasks",
          query: { instanceId: "a", offset: 5, limit: 2, status: "running" }
        },
        {
          operation: "listOfflineKeyAnalysisTasks",
          query: { instanceId: "b", offset: undefined, limit: undefined, status: undefined }
        },
        { operation: "listOfflineKeyAnalysisTasks", query: { instanceId: "c", offset: 0, limit: 4, status: "success" } }
      ])
    }).pipe(Effect.provide(DcsClient.layerTest({ tasks: tasksOf(3) }))))

  it.effect("instances: each instance lists its own tasks; an unknown one fails with DcsNotFound", () =>
    Effect.gen(function*() {
      const a = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "a" })
      expect(ids(a.records)).toEqual(ids(tasksOf(2)))
      const b = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "b" })
      expect(b.total).toBe(0)
      const missing = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "c" }).pipe(Effect.flip)
      expect(missing._tag).toBe("DcsNotFound")
      expect(missing).toBeInstanceOf(DcsError.DcsNotFound)
      if (missing._tag === "DcsNotFound") expect(missing.status).toBe(404)
      const streamed = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "c" }).pipe(
        Stream.runCollect,
        Effect.flip
      )
      expect(streamed._tag).toBe("DcsNotFound")
    }).pipe(Effect.provide(DcsClient.layerTest({ instances: { a: tasksOf(2), b: [] }, tasks: tasksOf(9) }))))

  it.effect("instances: an Object.prototype name as instance id is unknown (DcsNotFound), not a crash", () =>
    Effect.gen(function*() {
      const outcomes: Array<string> = []
      for (const instanceId of ["constructor", "toString", "hasOwnProperty", "__proto__", "valueOf"]) {
        const outcome = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId }).pipe(
          Effect.match({ onFailure: (error) => error._tag, onSuccess: () => "success" }),
          Effect.catchAllDefect((defect) => Effect.succeed(`defect: ${String(defect)}`))
        )
        outcomes.push(`${instanceId} -> ${outcome}`)
      }
      expect(outcomes).toEqual([
        "constructor -> DcsNotFound",
        "toString -> DcsNotFound",
        "hasOwnProperty -> DcsNotFound",
        "__proto__ -> DcsNotFound",
        "valueOf -> DcsNotFound"
      ])
    }).pipe(Effect.provide(DcsClient.layerTest({ instances: { a: tasksOf(2) } }))))

  it.effect("setTasks replaces the tasks of one instance or of all", () =>
    Effect.gen(function*() {
      const control = yield* TestClient
      yield* control.setTasks(tasksOf(4), "new")
      expect((yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "new" })).total).toBe(4)
      expect((yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "a" })).total).toBe(1)
      yield* control.setTasks(tasksOf(6))
      expect((yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "anything" })).total).toBe(6)
    }).pipe(Effect.provide(DcsClient.layerTest({ instances: { a: tasksOf(1) } }))))

  it.effect("each layerTest has its own state", () =>
    Effect.gen(function*() {
      const first = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "i" }).pipe(
        Effect.zipRight(calls),
        Effect.provide(DcsClient.layerTest())
      )
      const second = yield* calls.pipe(Effect.provide(DcsClient.layerTest()))
      expect(first.length).toBe(1)
      expect(second.length).toBe(0)
    }))
})

// ---------------------------------------------------------------------------------------------
// Input validation: rejected before anything is sent
// ---------------------------------------------------------------------------------------------

const MAX_INT = 2_147_483_647

/** Anything that is not an integer in [minimum, 2^31 - 1]. */
const badInteger = (minimum: number): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.integer({ min: -MAX_INT, max: minimum - 1 }),
    fc.double({ noNaN: false }).filter((d) => !Number.isInteger(d)),
    fc.constantFrom(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      MAX_INT + 1,
      2 ** 53,
      Number.MAX_VALUE,
      0.5,
      -0.5,
      1e-300,
      minimum - 1
    ),
    fc.integer({ min: MAX_INT + 1, max: Number.MAX_SAFE_INTEGER }),
    fc.constantFrom("1", "0", "", "10", null, true, false, {}, [], [1], BigInt(1)),
    fc.integer({ min: 0, max: 100 }).map(String)
  )

const controlChar = fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.constant(0x7f)).map((c) => String.fromCharCode(c))
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c))
const whitespace = fc.constantFrom(" ", "\t", "\n", "\r", "\v", "\f", "\u00a0", "\u2028", "\u3000", "\ufeff")
const insertInto = (inner: fc.Arbitrary<string>) =>
  fc.tuple(fc.string({ maxLength: 10 }), inner, fc.string({ maxLength: 10 })).map(([a, b, c]) => a + b + c)

const badInstanceId: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom("", ".", "..", null, undefined, 1, {}, [], true),
  fc.array(whitespace, { minLength: 1, maxLength: 5 }).map((ws) => ws.join("")),
  insertInto(controlChar),
  insertInto(loneSurrogate),
  fc.string({ minLength: 257, maxLength: 300 })
)

const isGoodInstanceId = (s: string) =>
  s.trim() !== "" && s !== "." && s !== ".." && s.length <= 256 && !/[\u0000-\u001f\u007f]/.test(s)

const goodInstanceId: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", minLength: 1, maxLength: 40 }),
  fc.constantFrom(
    "a/b",
    "a?b",
    "a#b",
    "a%b",
    "%2e%2e",
    "a..b",
    "...",
    "..a",
    "a..",
    "实例-1",
    "é",
    "😀",
    " a ",
    "a+b",
    "a b"
  ),
  fc.uuid()
).filter(isGoodInstanceId)

const badStatus: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 10 }).filter((s) => !["waiting", "running", "success", "failed"].includes(s)),
  fc.constantFrom("SUCCESS", "Success", " success", "", "unrecognized", null, 1, { _tag: "Unrecognized" })
)

const expectRejected =
  (field: string) => <A>(effect: Effect.Effect<A, DcsError.DcsError, DcsClient.DcsClient | DcsClient.TestClient>) =>
    Effect.gen(function*() {
      const result: Either.Either<unknown, DcsError.DcsError> = yield* Effect.either(effect).pipe(
        Effect.catchAllDefect((defect) => Effect.succeed(Either.right(`a defect: ${String(defect)}`)))
      )
      if (Either.isRight(result)) {
        const got = typeof result.right === "string" ? result.right : "a success"
        return expect.fail(`expected a DcsInvalidRequest naming ${field}, got ${got}`)
      }
      const error = result.left
      expect(error._tag).toBe("DcsInvalidRequest")
      if (error._tag === "DcsInvalidRequest") {
        expect(error.field).toBe(field)
        expect(error.message).toContain(field)
        expect(error.reason.length).toBeGreaterThan(0)
      }
      expect(yield* calls).toEqual([])
    }).pipe(Effect.provide(DcsClient.layerTest({ tasks: tasksOf(3) })))

const list = (request: Record<string, unknown>) =>
  DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "i", ...request } as any)
const stream = (request: Record<string, unknown>) =>
  DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "i", ...request } as any).pipe(Stream.runCollect)
const pages = (request: Record<string, unknown>) =>
  DcsClient.streamOfflineKeyAnalysisTaskPages({ instanceId: "i", ...request } as any).pipe(Stream.runCollect)

describe("DcsClient input validation", () => {
  const runs = { fastCheck: { numRuns: 60 } }

  it.effect.prop(
    "rejects a bad offset",
    [badInteger(0)],
    ([offset]) => expectRejected("offset")(list({ offset })),
    runs
  )

  it.effect.prop("rejects a bad limit", [badInteger(0)], ([limit]) => expectRejected("limit")(list({ limit })), runs)

  it.effect.prop("rejects a bad pageSize (0 included)", [badInteger(1)], ([pageSize]) =>
    Effect.zipRight(
      expectRejected("pageSize")(stream({ pageSize })),
      expectRejected("pageSize")(pages({ pageSize }))
    ), runs)

  it.effect.prop(
    "rejects a bad startOffset",
    [badInteger(0)],
    ([startOffset]) => expectRejected("startOffset")(stream({ startOffset })),
    runs
  )

  it.effect.prop(
    "rejects a bad concurrency (0, above 64, not an integer)",
    [fc.oneof(badInteger(1), fc.integer({ min: 65, max: MAX_INT }))],
    ([concurrency]) => expectRejected("concurrency")(stream({ concurrency })),
    runs
  )

  // (A property must return void: fast-check reads any other value but `true` as a failure.)
  it.effect.prop("rejects a bad instanceId in every operation", [badInstanceId], ([instanceId]) =>
    Effect.all([
      expectRejected("instanceId")(list({ instanceId })),
      expectRejected("instanceId")(stream({ instanceId })),
      expectRejected("instanceId")(pages({ instanceId }))
    ], { discard: true }), runs)

  it.effect.prop("rejects an unknown status in every operation", [badStatus], ([status]) =>
    Effect.all([
      expectRejected("status")(list({ status })),
      expectRejected("status")(stream({ status })),
      expectRejected("status")(pages({ status }))
    ], { discard: true }), runs)

  it.effect("rejects a stream request that is not an object", () =>
    Effect.all([
      expectRejected("request")(DcsClient.streamOfflineKeyAnalysisTasks(undefined as any).pipe(Stream.runCollect)),
      expectRejected("request")(DcsClient.streamOfflineKeyAnalysisTaskPages(null as any).pipe(Stream.runCollect))
    ], { discard: true }))

  it.effect("rejects a list request that is null, undefined or a string (a DcsInvalidRequest, not a defect)", () =>
    Effect.all(
      [null, undefined, "i"].map((request) =>
        expectRejected("request")(DcsClient.listOfflineKeyAnalysisTasks(request as any))
      ),
      { discard: true }
    ))

  it.effect.each<readonly [string, Record<string, unknown>]>([
    ["offset 0", { offset: 0 }],
    ["offset 2^31 - 1", { offset: MAX_INT }],
    ["limit 0", { limit: 0 }],
    ["limit 2^31 - 1", { limit: MAX_INT }],
    ["offset -0", { offset: -0 }],
    ["every status", { status: "waiting" }],
    ["explicit undefined", { offset: undefined, limit: undefined, status: undefined }]
  ])("accepts %s", ([, request]) =>
    Effect.gen(function*() {
      yield* list(request)
      expect((yield* calls).length).toBe(1)
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("accepts pageSize 1 and 2^31 - 1", () =>
    Effect.gen(function*() {
      expect(ids(yield* stream({ pageSize: 1 }))).toEqual(ids(tasksOf(3)))
      expect(ids(yield* stream({ pageSize: MAX_INT }))).toEqual(ids(tasksOf(3)))
    }).pipe(Effect.provide(DcsClient.layerTest({ tasks: tasksOf(3) }))))

  it.effect.prop(
    "accepts any other instance id, unchanged",
    [goodInstanceId.filter((id) => id.trim() === id)],
    ([instanceId]) =>
      Effect.gen(function*() {
        yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId })
        expect((yield* queries).map((q) => q.instanceId)).toEqual([instanceId])
      }).pipe(Effect.provide(DcsClient.layerTest())),
    { fastCheck: { numRuns: 100 } }
  )

  // The live layer rejects a per-call timeout that is not a positive duration; the test layer is
  // documented to validate input exactly as the live one does.
  it.effect("rejects a per-call timeout that is not a positive duration, like the live layer", () =>
    Effect.all(
      [-1, "0 millis", "soon"].flatMap((timeout) => [
        expectRejected("timeout")(list({ timeout })),
        expectRejected("timeout")(stream({ timeout }))
      ]),
      { discard: true }
    ))
})
