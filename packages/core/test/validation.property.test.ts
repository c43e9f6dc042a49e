/**
 * Input validation under fast-check (issue 5, "Hostile and bad input"): every hostile input is a
 * `DcsInvalidRequest` naming the field, and nothing is sent; hostile but valid instance ids stay
 * exactly one path segment; the live layer and `layerTest` reject exactly the same input.
 *
 * No network: the live layer runs on a recording `HttpClient` that answers an empty page.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Layer, Schedule, Stream } from "effect"
import { DcsClient } from "../src/index.js"

let tried = 0
afterAll(() => {
  console.log(`[validation.property] hostile inputs tried: ${tried}`)
})

const ENDPOINT = "https://dcs.cn-north-4.myhuaweicloud.com"
const PROJECT = "9a3f5c1e7b2d4e6f8a0c1b3d5e7f9a2c"
const INSTANCE = "5f9057b5-c330-4ee2-8138-7e69896eeec3"

/** The URLs the live layer sent, as the transport received them. */
const sent: Array<URL> = []

const recordingHttpClient = HttpClient.make((request, url) =>
  Effect.sync(() => {
    sent.push(new URL(url.toString()))
    return HttpClientResponse.fromWeb(
      request,
      new Response(JSON.stringify({ total: 0, records: [] }), {
        status: 200,
        headers: { "content-type": "application/json", "x-request-id": "r" }
      })
    )
  })
)

/** The live service on the recording transport (built once per call of this function: cheap). */
const live = (options: Partial<DcsClient.Options> = {}) =>
  Layer.effect(
    DcsClient.DcsClient,
    DcsClient.make({ endpoint: ENDPOINT, projectId: PROJECT, retry: Schedule.stop, ...options }).pipe(
      Effect.provideService(HttpClient.HttpClient, recordingHttpClient)
    )
  )

// Built once: validation is the same for every call, and building layers per case is slow.
const liveServices = Effect.runSync(Effect.provide(DcsClient.DcsClient, live()))
const testServices = Effect.runSync(Effect.scoped(Layer.build(DcsClient.layerTest())))
const onLive = <A, E>(effect: Effect.Effect<A, E, DcsClient.DcsClient>) =>
  Effect.provideService(effect, DcsClient.DcsClient, liveServices)
const onTest = <A, E>(effect: Effect.Effect<A, E, DcsClient.DcsClient>) => Effect.provide(effect, testServices)

/** What a call gives: "ok", or the tag and field of its error. */
const outcome = <R>(effect: Effect.Effect<unknown, unknown, R>) =>
  Effect.match(effect, {
    onSuccess: () => "ok",
    onFailure: (error) => {
      const e = error as { readonly _tag: string; readonly field?: string }
      return e._tag === "DcsInvalidRequest" ? `DcsInvalidRequest:${e.field}` : e._tag
    }
  })

const listCall = (request: unknown) => DcsClient.listOfflineKeyAnalysisTasks(request as never)
const streamCall = (request: unknown) => Stream.runDrain(DcsClient.streamOfflineKeyAnalysisTasks(request as never))

/** Runs `f` on the live layer and on `layerTest`; both must give `expected`; nothing may be sent. */
const bothReject = (
  call: (request: unknown) => Effect.Effect<unknown, unknown, DcsClient.DcsClient>,
  request: unknown,
  field: string
) =>
  Effect.gen(function*() {
    tried++
    const before = sent.length
    const fromLive = yield* outcome(onLive(call(request)))
    const fromTest = yield* outcome(onTest(call(request)))
    expect(fromLive).toBe(`DcsInvalidRequest:${field}`)
    expect(fromTest).toBe(fromLive)
    expect(sent.length).toBe(before)
  })

const property = <A>(arbitrary: fc.Arbitrary<A>, check: (a: A) => Effect.Effect<void>, numRuns = 150) =>
  Effect.promise(() => fc.assert(fc.asyncProperty(arbitrary, (a) => Effect.runPromise(check(a))), { numRuns }))

const notAnInteger = (minimum: number, maximum = 2 ** 31 - 1): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: minimum - 1 }),
    fc.double({ noInteger: true }),
    fc.constantFrom(NaN, Infinity, -Infinity, 2 ** 31, 2 ** 53, Number.MAX_VALUE, 0.5, -0.5, 1e-300),
    fc.integer({ min: maximum + 1, max: Number.MAX_SAFE_INTEGER }),
    fc.string(),
    fc.constantFrom("10", "0", "", " 1", "1e3", "0x10", "Infinity", "NaN"),
    fc.boolean(),
    fc.constant(null),
    fc.bigInt(),
    fc.object(),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.constant(new Number(5)),
    fc.constant(Symbol("n"))
  )

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/

const isCleanId = (id: string): boolean =>
  id.trim() !== "" && id !== "." && id !== ".." && id.length <= 256 && !/[\u0000-\u001f\u007f]/.test(id) &&
  !loneSurrogate.test(id)

const invalidInstanceId: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\t",
    "\r\n",
    "\u00a0",
    "\u2003",
    "\ufeff",
    "\u3000",
    ".",
    "..",
    " inst",
    "inst ",
    "\u00a0inst"
  ),
  fc.string({ unit: fc.constantFrom(" ", "\t", "\n", "\u00a0", "\u2028", "\u3000", "\ufeff"), minLength: 1 }),
  fc.tuple(fc.string(), fc.constantFrom("\u0000", "\n", "\r", "\u001b", "\u007f", "\t"), fc.string()).map(
    ([a, c, b]) => a + c + b
  ),
  fc.string({ minLength: 257, maxLength: 600 }).filter((s) => s.length > 256),
  fc.tuple(fc.string(), fc.constantFrom("\ud800", "\udbff", "\udc00", "\udfff"), fc.string()).map(([a, s, b]) =>
    a + s + "x" + b
  ).filter((s) => loneSurrogate.test(s)),
  fc.constantFrom(null, undefined, 42, true, {}, [], ["a"], new String("x"))
)

const hostileInstanceId: fc.Arbitrary<string> = fc.oneof(
  fc.string({
    unit: fc.oneof(
      fc.constantFrom(
        "/",
        "..",
        ".",
        "?",
        "#",
        "%",
        "%2F",
        "%2f",
        "%2e%2e",
        "%00",
        "%",
        "\\",
        " ",
        "+",
        "&",
        "=",
        ";",
        ":",
        "@",
        "é",
        "😀",
        "中文",
        "\u202e",
        "~",
        "*",
        "'",
        "(",
        ")",
        "!",
        "$",
        ",",
        "[",
        "]",
        "|",
        "^",
        "`",
        "{",
        "}",
        "<",
        ">",
        "\"",
        "\u0130",
        "\uff0f",
        "\u2215",
        "\uff0e",
        "offline",
        "v2"
      ),
      fc.char()
    ),
    minLength: 1,
    maxLength: 32
  }),
  fc.constantFrom("../../../etc/passwd", "a/../b", "./x", "x?offset=5", "x#f", "%2e%2e", "..\\..", "...", ".a", "a."),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 16 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 16 })
).filter(isCleanId)

describe("validation (property tests)", () => {
  it.effect(
    "offset and limit: anything but an integer in [0, 2^31-1] is rejected, nothing sent",
    () =>
      Effect.gen(function*() {
        yield* property(notAnInteger(0), (offset) => bothReject(listCall, { instanceId: INSTANCE, offset }, "offset"))
        yield* property(notAnInteger(0), (limit) => bothReject(listCall, { instanceId: INSTANCE, limit }, "limit"))
      }),
    { timeout: 60_000 }
  )

  it.effect(
    "pageSize, startOffset, concurrency: anything out of range is rejected, nothing sent",
    () =>
      Effect.gen(function*() {
        yield* property(
          fc.oneof(notAnInteger(1), fc.constant(0)),
          (pageSize) => bothReject(streamCall, { instanceId: INSTANCE, pageSize }, "pageSize")
        )
        yield* property(
          notAnInteger(0),
          (startOffset) => bothReject(streamCall, { instanceId: INSTANCE, startOffset }, "startOffset")
        )
        yield* property(
          fc.oneof(notAnInteger(1, 64), fc.integer({ min: 65, max: 10_000 }), fc.constant(0)),
          (concurrency) => bothReject(streamCall, { instanceId: INSTANCE, concurrency }, "concurrency")
        )
      }),
    { timeout: 60_000 }
  )

  it.effect("in-range integers are accepted and sent as given", () =>
    property(
      fc.record({ offset: fc.integer({ min: 0, max: 2 ** 31 - 1 }), limit: fc.integer({ min: 0, max: 2 ** 31 - 1 }) }),
      ({ limit, offset }) =>
        Effect.gen(function*() {
          const before = sent.length
          expect(yield* outcome(onLive(listCall({ instanceId: INSTANCE, offset, limit })))).toBe("ok")
          expect(sent.length).toBe(before + 1)
          const url = sent[sent.length - 1]!
          expect(url.searchParams.get("offset")).toBe(String(offset))
          expect(url.searchParams.get("limit")).toBe(String(limit))
        }),
      150
    ), { timeout: 60_000 })

  it.effect(
    "instance ids: empty, blank, dot segments, control characters, too long, malformed, not strings",
    () =>
      Effect.gen(function*() {
        yield* property(invalidInstanceId, (instanceId) => bothReject(listCall, { instanceId }, "instanceId"))
        yield* property(invalidInstanceId, (instanceId) => bothReject(streamCall, { instanceId }, "instanceId"), 100)
      }),
    { timeout: 60_000 }
  )

  it.effect(
    "hostile valid instance ids are exactly one path segment of the URL sent, decoding back to the id",
    () =>
      property(
        hostileInstanceId.filter((id) => id.trim() === id),
        (instanceId) =>
          Effect.gen(function*() {
            tried++
            const before = sent.length
            expect(yield* outcome(onLive(listCall({ instanceId })))).toBe("ok")
            expect(sent.length).toBe(before + 1)
            const url = sent[sent.length - 1]!
            expect(url.origin).toBe(ENDPOINT)
            expect(url.search.startsWith("?") || url.search === "").toBe(true)
            expect(url.hash).toBe("")
            const segments = url.pathname.split("/")
            expect(segments).toHaveLength(7)
            expect(segments.slice(0, 4)).toEqual(["", "v2", PROJECT, "instances"])
            expect(segments.slice(5)).toEqual(["offline", "key-analysis"])
            expect(decodeURIComponent(segments[4]!)).toBe(instanceId)
            // Only unreserved characters stay as they are (what the signature encodes).
            expect(segments[4]!).toMatch(/^(?:[A-Za-z0-9\-_.~]|%[0-9A-F]{2})+$/)
            // layerTest accepts it too.
            expect(yield* outcome(onTest(listCall({ instanceId })))).toBe("ok")
          }),
        300
      ),
    { timeout: 60_000 }
  )

  it.effect("statuses other than the four", () =>
    Effect.gen(function*() {
      const invalidStatus = fc.oneof(
        fc.string().filter((s) => !["waiting", "running", "success", "failed"].includes(s)),
        fc.constantFrom("WAITING", "Success", " failed", "failed ", "pending", "", "success,failed"),
        fc.constantFrom(0, null, true, {}, ["success"])
      )
      yield* property(invalidStatus, (status) => bothReject(listCall, { instanceId: INSTANCE, status }, "status"))
      yield* property(
        invalidStatus,
        (status) => bothReject(streamCall, { instanceId: INSTANCE, status }, "status"),
        100
      )
    }), { timeout: 60_000 })

  it.effect("requests that are not objects", () =>
    Effect.gen(function*() {
      for (const request of [null, undefined, 42, "x", true, Symbol("r")]) {
        yield* bothReject(listCall, request, "request")
        yield* bothReject(streamCall, request, "request")
      }
    }))

  it.effect(
    "endpoints that are not http(s) URLs or carry credentials, a query or a fragment: nothing sent",
    () =>
      Effect.gen(function*() {
        const endpoint = fc.oneof(
          fc.constantFrom(
            "",
            " ",
            "not a url",
            "ftp://dcs.example.com",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/plain,x",
            "ws://dcs.example.com",
            "//dcs.example.com",
            "dcs.example.com",
            "https://user:pw@dcs.example.com",
            "https://user@dcs.example.com",
            "https://:pw@dcs.example.com",
            "https://:@dcs.example.com",
            "https://@dcs.example.com/p",
            "https://dcs.example.com?",
            "https://dcs.example.com/?a=b",
            "https://dcs.example.com#",
            "https://dcs.example.com/p#f"
          ),
          fc.record({
            user: fc.option(fc.stringMatching(/^[a-zA-Z0-9]{1,8}$/), { nil: undefined }),
            query: fc.option(fc.stringMatching(/^[a-z0-9=&]{0,8}$/), { nil: undefined }),
            fragment: fc.option(fc.stringMatching(/^[a-z0-9]{0,8}$/), { nil: undefined }),
            path: fc.constantFrom("", "/", "/p")
          }).filter((u) => u.user !== undefined || u.query !== undefined || u.fragment !== undefined).map((u) =>
            `https://${u.user === undefined ? "" : `${u.user}@`}dcs.example.com${u.path}${
              u.query === undefined ? "" : `?${u.query}`
            }${u.fragment === undefined ? "" : `#${u.fragment}`}`
          ),
          fc.string().filter((s) => {
            try {
              const url = new URL(s)
              return url.protocol !== "http:" && url.protocol !== "https:"
            } catch {
              return true
            }
          }),
          fc.constantFrom(null, undefined, 42, {})
        )
        yield* property(endpoint, (value) =>
          Effect.gen(function*() {
            tried++
            const before = sent.length
            const result = yield* outcome(
              listCall({ instanceId: INSTANCE }).pipe(Effect.provide(live({ endpoint: value as string })))
            )
            expect(result).toBe("DcsInvalidRequest:endpoint")
            expect(sent.length).toBe(before)
          }))
      }),
    { timeout: 60_000 }
  )

  it.effect("an endpoint with a path prefix keeps it; a trailing slash is not doubled", () =>
    Effect.gen(function*() {
      for (
        const endpoint of ["https://proxy.example.com/dcs", "https://proxy.example.com/dcs/", "http://127.0.0.1:8080"]
      ) {
        const before = sent.length
        expect(yield* outcome(listCall({ instanceId: INSTANCE }).pipe(Effect.provide(live({ endpoint }))))).toBe("ok")
        expect(sent.length).toBe(before + 1)
        const url = sent[sent.length - 1]!
        expect(url.toString().startsWith(endpoint.replace(/\/$/, "") + `/v2/${PROJECT}/`)).toBe(true)
      }
    }))
})
