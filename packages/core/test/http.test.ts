import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import {
  Cause,
  Chunk,
  Clock,
  Deferred,
  Effect,
  Either,
  Exit,
  FastCheck as fc,
  Fiber,
  Layer,
  Option,
  Schedule,
  Schema,
  Stream,
  TestClock
} from "effect"
import type { ServerResponse } from "node:http"
import { inspect } from "node:util"
import { DcsClient, DcsError } from "../src/index.js"
import { ListOfflineKeyAnalysisTasksResponse } from "../src/OfflineKeyAnalysis.js"
import { closedPort, json, type Seen, testServer } from "./utils/server.js"
import { docExample, docExampleText, type WireRecord } from "./utils/wire.js"

// The live layer through a real HttpClient (undici) against a real server on loopback. Sockets
// are real, so these tests run on the live clock, except where a test drives retry delays with
// the TestClock.

const PROJECT = "proj-0123"

const liveClient = (options: DcsClient.Options) => Layer.provide(DcsClient.layer(options), NodeHttpClient.layerUndici)

/** Runs `effect` against the live layer; no retries unless the options say so. */
const withClient =
  (options: Partial<DcsClient.Options> & { readonly endpoint: string }) =>
  <A, E>(effect: Effect.Effect<A, E, DcsClient.DcsClient>): Effect.Effect<A, E> =>
    Effect.provide(effect, liveClient({ projectId: PROJECT, retry: Schedule.stop, ...options }))

const listPath = (instanceSegment: string, project = PROJECT) =>
  `/v2/${project}/instances/${instanceSegment}/offline/key-analysis`

/** Percent-encoding as the signer does it: unreserved bytes stay, every other byte is %XX. */
const rfc3986 = (text: string): string =>
  Array.from(new TextEncoder().encode(text), (byte) => {
    const char = String.fromCharCode(byte)
    return /^[A-Za-z0-9\-_.~]$/.test(char) ? char : "%" + byte.toString(16).toUpperCase().padStart(2, "0")
  }).join("")

const wireRecords = (n: number): Array<WireRecord> =>
  Array.from({ length: n }, (_, i) => ({
    id: `task-${i}`,
    status: i % 7 === 3 ? "paused" : "success",
    created_at: new Date(Date.UTC(2024, 9, 15) + i * 1000).toISOString(),
    ...(i % 2 === 0 ? { started_at: new Date(Date.UTC(2024, 9, 15) + i * 1000 + 10).toISOString() } : {})
  }))

/** A server that pages over `records` like the service. */
const pagingHandler =
  (records: ReadonlyArray<WireRecord>, options: { readonly ignoreOffset?: boolean } = {}) =>
  (request: Seen, res: ServerResponse, index: number) => {
    const params = new Map(request.query)
    const offset = options.ignoreOffset ? 0 : Number(params.get("offset") ?? "0")
    const limit = Number(params.get("limit") ?? "10")
    json(res, 200, { instance_id: "inst", total: records.length, records: records.slice(offset, offset + limit) }, {
      "x-request-id": `page-${index}`
    })
  }

const errorBody = {
  error_code: "DCS.4000",
  error_msg: "Invalid request parameter.",
  error_ext_msg: "ext detail"
}

const flipList = (request: Partial<DcsClient.ListOfflineKeyAnalysisTasksRequest> = {}) =>
  DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "inst", ...request }).pipe(Effect.flip)

describe("live layer: the request on the wire", () => {
  it.scopedLive("sends GET to the exact path, no query when none is given, no body", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res) => json(res, 200, docExample))
      yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "inst-1" }).pipe(
        withClient({ endpoint: server.endpoint })
      )
      expect(server.seen.length).toBe(1)
      const [seen] = server.seen
      expect(seen!.method).toBe("GET")
      expect(seen!.url).toBe(listPath("inst-1"))
      expect(seen!.body).toBe("")
      expect(seen!.headers["transfer-encoding"]).toBeUndefined()
      expect(["0", undefined]).toContain(seen!.headers["content-length"])
      expect(seen!.headers["accept"]).toBe("application/json")
      expect(seen!.headers["user-agent"]).toBe("effect-dcs")
    }))

  it.scopedLive("sends exactly the query parameters given", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res) => json(res, 200, { total: 0 }))
      const list = (request: Partial<DcsClient.ListOfflineKeyAnalysisTasksRequest>) =>
        DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "inst", ...request })
      yield* Effect.all([
        list({ offset: 5, limit: 7, status: "running" }),
        list({ limit: 0 }),
        list({ offset: 0 }),
        list({ status: "failed" }),
        list({ offset: undefined, limit: undefined, status: undefined })
      ]).pipe(withClient({ endpoint: server.endpoint }))
      expect(server.seen.map((s) => s.path)).toEqual(Array(5).fill(listPath("inst")))
      expect(server.seen.map((s) => s.query)).toEqual([
        [["offset", "5"], ["limit", "7"], ["status", "running"]],
        [["limit", "0"]],
        [["offset", "0"]],
        [["status", "failed"]],
        []
      ])
      expect(server.seen[4]!.url).toBe(listPath("inst"))
    }))

  it.scopedLive("keeps a path prefix of the endpoint and sends the configured User-Agent", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res) => json(res, 200, { total: 0 }))
      yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "i" }).pipe(
        withClient({ endpoint: `${server.endpoint}/proxy/dcs/`, userAgent: "my-app/1.0" })
      )
      expect(server.seen[0]!.url).toBe(`/proxy/dcs${listPath("i")}`)
      expect(server.seen[0]!.headers["user-agent"]).toBe("my-app/1.0")
    }))

  it.scopedLive("encodes an instance id with / ? # % .. unicode as exactly one path segment", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res) => json(res, 200, { total: 0 }))
      const ids = fc.sample(
        fc.oneof(
          fc.constantFrom("a/b", "a?b=c", "a#b", "100%", "%2e%2e", "%2F", "a..b", "...", "..a", "a..", "a/../b"),
          fc.constantFrom("实例-1", "é", "😀", "a+b", "a b", "a;b", "a&b=c", "a\\b", "~_-.", "!'()*", "\u0085"),
          fc.string({ unit: "binary", minLength: 1, maxLength: 20 })
        ).filter((s) => s.trim() !== "" && s !== "." && s !== ".." && !/[\u0000-\u001f\u007f]/.test(s)),
        { numRuns: 40, seed: 7 }
      )
      yield* Effect.forEach(ids, (instanceId) => DcsClient.listOfflineKeyAnalysisTasks({ instanceId }), {
        discard: true
      }).pipe(withClient({ endpoint: server.endpoint }))
      expect(server.seen.length).toBe(ids.length)
      server.seen.forEach((seen, i) => {
        const id = ids[i]!
        const segments = seen.path.split("/")
        expect(segments.length, `path of ${JSON.stringify(id)}: ${seen.path}`).toBe(7)
        expect(segments[4]).toBe(rfc3986(id))
        expect(decodeURIComponent(segments[4]!)).toBe(id)
        expect(seen.query).toEqual([])
      })
    }))

  it.scopedLive("encodes the project id as one path segment too", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res) => json(res, 200, { total: 0 }))
      yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "i" }).pipe(
        withClient({ endpoint: server.endpoint, projectId: "p/q?r" })
      )
      expect(server.seen[0]!.url).toBe(listPath("i", "p%2Fq%3Fr"))
    }))
})

describe("live layer: decoding answers", () => {
  it.scopedLive("decodes the doc's example response", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res) => {
        res.writeHead(200, { "content-type": "application/json", "x-request-id": "req-ok" })
        res.end(docExampleText)
      })
      const response = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "5f9057b5" }).pipe(
        withClient({ endpoint: server.endpoint })
      )
      expect(response).toEqual(Schema.decodeUnknownSync(ListOfflineKeyAnalysisTasksResponse)(docExample))
      expect(response.records[0]!.id).toBe("858ee14c-2271-4489-8b82-7bda7459ae3e")
    }))

  it.scopedLive("decodes a chunked answer without content-length", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res) => {
        res.writeHead(200, { "content-type": "application/json" })
        res.write(docExampleText.slice(0, 40))
        res.end(docExampleText.slice(40))
      })
      const response = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "i" }).pipe(
        withClient({ endpoint: server.endpoint })
      )
      expect(response.total).toBe(1)
    }))

  it.scopedLive("a 2xx that is not the documented JSON is a DcsDecodeError carrying the request id", () =>
    Effect.gen(function*() {
      const bodies: ReadonlyArray<readonly [number, string]> = [
        [200, "{\"total\": 1, \"records\": ["],
        [200, "<html>ok</html>"],
        [200, ""],
        [200, "{\"total\": \"one\"}"],
        [200, "{\"total\": 1, \"records\": [{\"id\": 1}]}"],
        [200, "[]"],
        [200, "null"],
        [201, "{\"records\": []}"],
        [204, ""]
      ]
      const server = yield* testServer((_, res, i) => {
        const [status, body] = bodies[i]!
        res.writeHead(status, { "content-type": "application/json", "x-request-id": `req-${i}` })
        res.end(status === 204 ? undefined : body)
      })
      const errors = yield* Effect.forEach(bodies, () => flipList()).pipe(withClient({ endpoint: server.endpoint }))
      errors.forEach((error, i) => {
        expect(error._tag, bodies[i]![1]).toBe("DcsDecodeError")
        if (error._tag !== "DcsDecodeError") return
        expect(error.status).toBe(bodies[i]![0])
        expect(error.requestId).toBe(`req-${i}`)
        expect(error.reason.length).toBeGreaterThan(0)
        expect(error.message).toContain(`req-${i}`)
        expect(error.body).toBe(bodies[i]![0] === 204 ? "" : bodies[i]![1])
      })
    }))

  it.scopedLive("a 200 carrying an error body is a DcsDecodeError that names the error", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res) => json(res, 200, errorBody, { "x-request-id": "req-200" }))
      const error = yield* flipList().pipe(withClient({ endpoint: server.endpoint }))
      expect(error._tag).toBe("DcsDecodeError")
      if (error._tag !== "DcsDecodeError") return
      expect(error.requestId).toBe("req-200")
      expect(error.reason).toContain("DCS.4000")
      expect(error.reason).toContain("Invalid request parameter.")
    }))
})

describe("live layer: status codes to errors", () => {
  const documented = [
    [400, DcsError.DcsBadRequest],
    [401, DcsError.DcsUnauthorized],
    [403, DcsError.DcsForbidden],
    [404, DcsError.DcsNotFound],
    [500, DcsError.DcsInternalServerError]
  ] as const

  it.scopedLive("maps 400, 401, 403, 404 and 500 to their error, with every field and the request id", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res, i) =>
        json(res, documented[i]![0], errorBody, { "x-request-id": `req-${documented[i]![0]}` })
      )
      const errors = yield* Effect.forEach(documented, () => flipList()).pipe(withClient({ endpoint: server.endpoint }))
      errors.forEach((error, i) => {
        const [status, ErrorClass] = documented[i]!
        expect(error).toBeInstanceOf(ErrorClass)
        expect(error._tag).toBe(ErrorClass.name)
        expect(DcsError.isStatusError(error)).toBe(true)
        if (!DcsError.isStatusError(error)) return
        expect(error.status).toBe(status)
        expect(error.errorCode).toBe("DCS.4000")
        expect(error.errorMsg).toBe("Invalid request parameter.")
        expect(error.errorExtMsg).toBe("ext detail")
        expect(error.requestId).toBe(`req-${status}`)
        expect(error.message).toContain("DCS.4000")
        expect(error.message).toContain("Invalid request parameter.")
        expect(error.message).toContain(`req-${status}`)
        expect(error.message).toContain(String(status))
      })
      // each status was asked once: none of them is retried here
      expect(server.seen.length).toBe(documented.length)
    }))

  it.scopedLive("DCS.4231 and DCS.4232 get errors of their own, whatever the status", () =>
    Effect.gen(function*() {
      const answers = [[400, "DCS.4231"], [409, "DCS.4231"], [400, "DCS.4232"], [404, "DCS.4232"]] as const
      const server = yield* testServer((_, res, i) =>
        json(res, answers[i]![0], { error_code: answers[i]![1], error_msg: "m" }, { "x-request-id": `req-${i}` })
      )
      const errors = yield* Effect.forEach(answers, () => flipList()).pipe(withClient({ endpoint: server.endpoint }))
      expect(errors.map((e) => e._tag)).toEqual([
        "DcsAnalysisAlreadyRunning",
        "DcsAnalysisAlreadyRunning",
        "DcsTaskNotFound",
        "DcsTaskNotFound"
      ])
      errors.forEach((error, i) => {
        expect(DcsError.isStatusError(error)).toBe(true)
        if (!DcsError.isStatusError(error)) return
        expect(error.status).toBe(answers[i]![0])
        expect(error.requestId).toBe(`req-${i}`)
      })
    }))

  it.scopedLive("maps any other status to DcsUnexpectedStatus with a bounded body", () =>
    Effect.gen(function*() {
      const statuses = [409, 418, 502, 503, 504, 302, 599]
      const huge = "x".repeat(200_000)
      const server = yield* testServer((_, res, i) => {
        const status = statuses[i]!
        if (status === 502) {
          res.writeHead(502, { "content-type": "text/plain", "x-request-id": "req-502" })
          res.end(huge) // content-length, over the error limit
        } else if (status === 504) {
          res.writeHead(504, { "content-type": "text/plain", "x-request-id": "req-504" })
          for (let k = 0; k < 20; k++) res.write(huge.slice(0, 50_000)) // chunked, ~1 MB
          res.end()
        } else {
          json(res, status, { ...errorBody, error_ext_msg: null }, { "x-request-id": `req-${status}` })
        }
      })
      const errors = yield* Effect.forEach(statuses, () => flipList()).pipe(withClient({ endpoint: server.endpoint }))
      errors.forEach((error, i) => {
        const status = statuses[i]!
        expect(error._tag, String(status)).toBe("DcsUnexpectedStatus")
        if (error._tag !== "DcsUnexpectedStatus") return
        expect(error.status).toBe(status)
        expect(error.requestId).toBe(`req-${status}`)
        expect(error.body.length).toBeLessThanOrEqual(2048)
        expect(error.message.length).toBeLessThanOrEqual(10_000)
        if (status === 502 || status === 504) {
          expect(error.errorCode).toBe("")
          expect(error.body.startsWith("xxxx")).toBe(true)
        } else {
          expect(error.errorCode).toBe("DCS.4000")
          expect(error.errorMsg).toBe("Invalid request parameter.")
          expect(error.errorExtMsg).toBeUndefined()
          expect(JSON.parse(error.body)).toEqual({ ...errorBody, error_ext_msg: null })
        }
      })
    }))

  it.scopedLive("reads error bodies like the official SDKs: {code,message}, {error:{code,message}}, HTML, text", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<
        readonly [string, string, { readonly errorCode: string; readonly errorMsg: string | RegExp }]
      > = [
        ["application/json", JSON.stringify(errorBody), { errorCode: "DCS.4000", errorMsg: errorBody.error_msg }],
        ["application/json", JSON.stringify({ code: "APIGW.0101", message: "The API does not exist" }), {
          errorCode: "APIGW.0101",
          errorMsg: "The API does not exist"
        }],
        ["application/json", JSON.stringify({ error: { code: "APIGW.0308", message: "Too many requests" } }), {
          errorCode: "APIGW.0308",
          errorMsg: "Too many requests"
        }],
        ["application/json", JSON.stringify({ error_msg: "only a message" }), {
          errorCode: "",
          errorMsg: "only a message"
        }],
        ["text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>", { errorCode: "", errorMsg: /Bad Gateway/ }],
        ["text/plain", "  upstream connect error  ", { errorCode: "", errorMsg: "upstream connect error" }],
        ["application/json", "{\"error_code\": ", { errorCode: "", errorMsg: "{\"error_code\":" }],
        ["text/plain", "", { errorCode: "", errorMsg: "" }]
      ]
      const server = yield* testServer((_, res, i) => {
        res.writeHead(400, { "content-type": cases[i]![0], "x-request-id": `req-${i}` })
        res.end(cases[i]![1])
      })
      const errors = yield* Effect.forEach(cases, () => flipList()).pipe(withClient({ endpoint: server.endpoint }))
      errors.forEach((error, i) => {
        expect(error._tag).toBe("DcsBadRequest")
        if (error._tag !== "DcsBadRequest") return
        const expected = cases[i]![2]
        expect(error.errorCode, cases[i]![1]).toBe(expected.errorCode)
        if (typeof expected.errorMsg === "string") expect(error.errorMsg).toBe(expected.errorMsg)
        else expect(error.errorMsg).toMatch(expected.errorMsg)
        expect(error.requestId).toBe(`req-${i}`)
      })
    }))

  it.scopedLive("parses Retry-After (seconds and HTTP date) into retryAfterMillis", () =>
    Effect.gen(function*() {
      const inAMinute = new Date(Date.now() + 60_000).toUTCString()
      const values = ["7", " 0 ", inAMinute, "soon", undefined]
      const server = yield* testServer((_, res, i) => {
        const value = values[i]
        json(res, 429, { error_code: "X", error_msg: "slow down" }, value === undefined ? {} : { "retry-after": value })
      })
      const errors = yield* Effect.forEach(values, () => flipList()).pipe(withClient({ endpoint: server.endpoint }))
      const millis = errors.map((error) =>
        DcsError.isStatusError(error) ? error.retryAfterMillis : "not a status error"
      )
      expect(millis[0]).toBe(7000)
      expect(millis[1]).toBe(0)
      expect(typeof millis[2]).toBe("number")
      expect(millis[2] as number).toBeGreaterThan(0)
      expect(millis[2] as number).toBeLessThanOrEqual(60_000)
      expect(millis[3]).toBeUndefined()
      expect(millis[4]).toBeUndefined()
    }))
})

describe("live layer: transport faults", () => {
  it.scopedLive("a refused connection is a DcsTransportError (Connection)", () =>
    Effect.gen(function*() {
      const port = yield* closedPort
      const error = yield* flipList().pipe(withClient({ endpoint: `http://127.0.0.1:${port}` }))
      expect(error._tag).toBe("DcsTransportError")
      if (error._tag !== "DcsTransportError") return
      expect(error.reason).toBe("Connection")
      expect(error.method).toBe("GET")
      expect(error.url).toBe(`http://127.0.0.1:${port}${listPath("inst")}`)
      expect(error.message).toContain(String(port))
      expect(DcsError.isTransient(error)).toBe(true)
    }))

  it.scopedLive("a server that never answers times out: DcsTransportError (Timeout)", () =>
    Effect.gen(function*() {
      const server = yield* testServer(() => {
        // never answers
      })
      const error = yield* flipList().pipe(withClient({ endpoint: server.endpoint, timeout: "200 millis" }))
      expect(error._tag).toBe("DcsTransportError")
      if (error._tag !== "DcsTransportError") return
      expect(error.reason).toBe("Timeout")
      expect(server.seen.length).toBe(1)
    }))

  it.scopedLive("a per-call timeout overrides the layer's", () =>
    Effect.gen(function*() {
      const server = yield* testServer(() => {})
      const error = yield* flipList({ timeout: "200 millis" }).pipe(
        withClient({ endpoint: server.endpoint, timeout: "1 hour" })
      )
      expect(error._tag === "DcsTransportError" && error.reason).toBe("Timeout")
    }))

  it.scopedLive("a body that never ends times out too (the timeout covers the whole attempt)", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" })
        res.write("{\"total\": ")
      })
      const error = yield* flipList().pipe(withClient({ endpoint: server.endpoint, timeout: "200 millis" }))
      expect(error._tag === "DcsTransportError" && error.reason).toBe("Timeout")
    }))

  // On the live Clock the timeout runs the attempt in a fiber of its own: interrupting the call
  // must still reach the request.
  it.scopedLive("interrupting a call while its attempt waits aborts the request, long before the timeout", () =>
    Effect.gen(function*() {
      const closed = yield* Deferred.make<void>()
      const server = yield* testServer((_, res) => {
        res.on("close", () => Deferred.unsafeDone(closed, Exit.void))
      })
      const fiber = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "inst" }).pipe(
        withClient({ endpoint: server.endpoint, timeout: "1 hour" }),
        Effect.fork
      )
      yield* Effect.repeat(Effect.sync(() => server.seen.length), {
        until: (n) => n > 0,
        schedule: Schedule.spaced("5 millis")
      })
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      yield* Deferred.await(closed)
      expect(server.seen.length).toBe(1)
    }))

  it.scopedLive("a connection closed in the middle of the body is a DcsTransportError", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000", "x-request-id": "r" })
        res.write("{\"total\": ", () => res.destroy())
      })
      const error = yield* flipList().pipe(withClient({ endpoint: server.endpoint }))
      expect(error._tag).toBe("DcsTransportError")
    }))
})

describe("live layer: retries", () => {
  it.scopedLive("503 twice then 200: succeeds after 3 requests", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res, i) =>
        i < 2 ? json(res, 503, { error_code: "X", error_msg: "busy" }) : json(res, 200, docExample)
      )
      const response = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "i" }).pipe(
        withClient({ endpoint: server.endpoint, retry: Schedule.recurs(3) })
      )
      expect(response.total).toBe(1)
      expect(server.seen.length).toBe(3)
      // every attempt is the same request
      expect(new Set(server.seen.map((s) => s.url)).size).toBe(1)
    }))

  it.scopedLive("retries transient statuses (408, 429, 500, 502, 503, 504), never 400, 401, 403, 404 or 409", () =>
    Effect.gen(function*() {
      const outcome = (status: number) =>
        Effect.gen(function*() {
          const server = yield* testServer((_, res) => json(res, status, errorBody))
          const error = yield* flipList().pipe(withClient({ endpoint: server.endpoint, retry: Schedule.recurs(2) }))
          return { status, tag: error._tag, requests: server.seen.length }
        }).pipe(Effect.scoped)
      const outcomes = yield* Effect.forEach([400, 401, 403, 404, 409, 500, 429, 502, 503, 504, 408], outcome)
      expect(outcomes).toEqual([
        { status: 400, tag: "DcsBadRequest", requests: 1 },
        { status: 401, tag: "DcsUnauthorized", requests: 1 },
        { status: 403, tag: "DcsForbidden", requests: 1 },
        { status: 404, tag: "DcsNotFound", requests: 1 },
        { status: 409, tag: "DcsUnexpectedStatus", requests: 1 },
        { status: 500, tag: "DcsInternalServerError", requests: 3 },
        { status: 429, tag: "DcsTooManyRequests", requests: 3 },
        { status: 502, tag: "DcsUnexpectedStatus", requests: 3 },
        { status: 503, tag: "DcsUnexpectedStatus", requests: 3 },
        { status: 504, tag: "DcsUnexpectedStatus", requests: 3 },
        { status: 408, tag: "DcsUnexpectedStatus", requests: 3 }
      ])
    }))

  it.scopedLive("a per-call retry overrides the layer's", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res) => json(res, 503, errorBody))
      yield* flipList({ retry: Schedule.stop }).pipe(
        withClient({ endpoint: server.endpoint, retry: Schedule.recurs(3) })
      )
      expect(server.seen.length).toBe(1)
    }))

  it.scopedLive("retries a timed-out attempt", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res, i) => {
        if (i > 0) json(res, 200, docExample)
      })
      const response = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "i" }).pipe(
        withClient({ endpoint: server.endpoint, retry: Schedule.recurs(1), timeout: "200 millis" })
      )
      expect(response.total).toBe(1)
      expect(server.seen.length).toBe(2)
    }))

  // Retry delays on the TestClock: the sockets are real, only the waiting is simulated.
  const waitForRetrySleep = Effect.gen(function*() {
    for (;;) {
      const now = yield* Clock.currentTimeMillis
      // An attempt's timeout (1 hour here) is a sleep too; a retry's delay is shorter.
      const pending = Chunk.toReadonlyArray(yield* TestClock.sleeps()).filter((t) => t > now && t < now + 60_000)
      if (pending.length > 0) return Math.min(...pending) - now
      yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
    }
  })

  it.scoped("honours Retry-After before retrying (capped at 20 seconds)", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res, i) =>
        i === 0
          ? json(res, 503, errorBody, { "retry-after": "5" })
          : i === 1
          ? json(res, 429, errorBody, { "retry-after": "3600" })
          : json(res, 200, docExample)
      )
      const fiber = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "i" }).pipe(
        withClient({ endpoint: server.endpoint, retry: Schedule.recurs(3), timeout: "1 hour" }),
        Effect.fork
      )
      expect(yield* waitForRetrySleep).toBe(5000)
      expect(server.seen.length).toBe(1)
      yield* TestClock.adjust("5 seconds")
      expect(yield* waitForRetrySleep).toBe(20_000)
      expect(server.seen.length).toBe(2)
      yield* TestClock.adjust("20 seconds")
      const response = yield* Fiber.join(fiber)
      expect(response.total).toBe(1)
      expect(server.seen.length).toBe(3)
    }))

  it.scoped("the default schedule gives up after 4 retries (it does not retry forever)", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res) => json(res, 503, errorBody))
      const fiber = yield* flipList().pipe(
        Effect.provide(liveClient({ endpoint: server.endpoint, projectId: PROJECT, timeout: "1 hour" })),
        Effect.fork
      )
      const delays: Array<number> = []
      for (;;) {
        const done = yield* Fiber.poll(fiber)
        if (Option.isSome(done)) break
        const delay = yield* Effect.raceFirst(
          waitForRetrySleep,
          Fiber.await(fiber).pipe(Effect.as(-1))
        )
        if (delay < 0) break
        delays.push(delay)
        yield* TestClock.adjust(delay)
      }
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("DcsUnexpectedStatus")
      expect(server.seen.length).toBe(5)
      expect(delays.length).toBe(4)
      // exponential from 200 ms, with jitter
      delays.forEach((delay, i) => {
        expect(delay).toBeGreaterThanOrEqual(200 * 2 ** i * 0.8 - 1)
        expect(delay).toBeLessThanOrEqual(200 * 2 ** i * 1.2 + 1)
      })
    }))
})

describe("live layer: secrets in error bodies", () => {
  const echo =
    "Incorrect IAM authentication information: verify aksk signature fail, signedHeaders:host;x-sdk-date;x-security-token, " +
    "canonicalRequest: GET|/v2/proj/instances/i/offline/key-analysis/||host:127.0.0.1|x-sdk-date:20240101T000000Z|" +
    "x-security-token:TOKEN123||host;x-sdk-date;x-security-token|e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 " +
    "Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=abc"

  const surfaces = (error: DcsError.DcsError): ReadonlyArray<string> => [
    error.message,
    JSON.stringify(error),
    String(error),
    inspect(error, { depth: 10 }),
    Cause.pretty(Cause.fail(error)),
    JSON.stringify(Schema.encodeSync(DcsError.DcsError)(error))
  ]

  const expectRedacted = (error: DcsError.DcsError) => {
    for (const text of surfaces(error)) {
      expect(text).not.toContain("TOKEN123")
      expect(text).not.toContain("Signature=abc")
      expect(text).not.toMatch(/Access=AK\b/)
    }
  }

  it.scopedLive("a 401 echoing the canonical request comes back redacted, and still readable", () =>
    Effect.gen(function*() {
      const bodies = [
        JSON.stringify({ error_code: "APIGW.0301", error_msg: echo, error_ext_msg: echo }),
        JSON.stringify({ error: { code: "APIGW.0301", message: echo } }),
        `<html><body><pre>${echo}</pre></body></html>`,
        echo
      ]
      const server = yield* testServer((_, res, i) => {
        res.writeHead(401, { "x-request-id": `req-${i}` })
        res.end(bodies[i])
      })
      const errors = yield* Effect.forEach(bodies, () => flipList()).pipe(withClient({ endpoint: server.endpoint }))
      errors.forEach((error, i) => {
        expect(error._tag).toBe("DcsUnauthorized")
        expectRedacted(error)
        // the debugging aid is surfaced, not swallowed
        expect(error.message).toContain("verify aksk signature fail")
        expect(error.message).toContain(`req-${i}`)
        if (i < 2) expect(error.message).toContain("APIGW.0301")
      })
    }))

  it.scopedLive("the same echo in an unexpected status or a 200 body is redacted too", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res, i) => {
        res.writeHead(i === 0 ? 418 : 200, { "x-request-id": `req-${i}` })
        res.end(i === 0 ? JSON.stringify({ error_code: "APIGW.0301", error_msg: echo }) : `not json: ${echo}`)
      })
      const errors = yield* Effect.forEach([0, 1], () => flipList()).pipe(withClient({ endpoint: server.endpoint }))
      expect(errors.map((e) => e._tag)).toEqual(["DcsUnexpectedStatus", "DcsDecodeError"])
      errors.forEach(expectRedacted)
    }))

  it.scopedLive("a gateway echoing the request headers as JSON does not leak the security token", () =>
    Effect.gen(function*() {
      const body = JSON.stringify({
        error_code: "APIGW.0301",
        error_msg: "Incorrect IAM authentication information",
        request: { headers: { "X-Security-Token": "TOKEN123", Authorization: "SDK-HMAC-SHA256 Signature=abc" } }
      })
      const server = yield* testServer((_, res, i) => {
        res.writeHead(i === 0 ? 401 : 418, { "x-request-id": "r" })
        res.end(body)
      })
      const errors = yield* Effect.forEach([0, 1], () => flipList()).pipe(withClient({ endpoint: server.endpoint }))
      errors.forEach(expectRedacted)
    }))
})

describe("live layer: streams through the real server", () => {
  it.scopedLive("streams every page, offsets advancing, each page with its request id", () =>
    Effect.gen(function*() {
      const records = wireRecords(25)
      const server = yield* testServer(pagingHandler(records))
      const pages = yield* DcsClient.streamOfflineKeyAnalysisTaskPages({ instanceId: "inst", pageSize: 10 }).pipe(
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray),
        withClient({ endpoint: server.endpoint })
      )
      expect(pages.map((p) => [p.offset, p.limit, p.total, p.received, p.records.length])).toEqual([
        [0, 10, 25, 10, 10],
        [10, 10, 25, 10, 10],
        [20, 10, 25, 5, 5]
      ])
      expect(pages.map((p) => p.requestId)).toEqual([
        Option.some("page-0"),
        Option.some("page-1"),
        Option.some("page-2")
      ])
      expect(pages.flatMap((p) => p.records.map((r) => r.id))).toEqual(records.map((r) => r.id))
      expect(pages[0]!.records[3]!.status).toEqual({ _tag: "Unrecognized", status: "paused" })
      expect(server.seen.map((s) => s.query)).toEqual([
        [["offset", "0"], ["limit", "10"]],
        [["offset", "10"], ["limit", "10"]],
        [["offset", "20"], ["limit", "10"]]
      ])
    }))

  it.scopedLive("streams records with the default page size of 100 and a status filter", () =>
    Effect.gen(function*() {
      const records = wireRecords(230)
      const server = yield* testServer(pagingHandler(records))
      const all = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "inst", status: "success" }).pipe(
        Stream.runCollect,
        withClient({ endpoint: server.endpoint })
      )
      expect(Chunk.size(all)).toBe(230)
      expect(server.seen.map((s) => s.query)).toEqual([0, 100, 200].map((offset) => [
        ["offset", String(offset)],
        ["limit", "100"],
        ["status", "success"]
      ]))
    }))

  it.scopedLive("a server that ignores offset fails the stream with DcsPaginationError and its request id", () =>
    Effect.gen(function*() {
      const server = yield* testServer(pagingHandler(wireRecords(25), { ignoreOffset: true }))
      const result = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "inst", pageSize: 10 }).pipe(
        Stream.either,
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray),
        withClient({ endpoint: server.endpoint })
      )
      expect(result.length).toBe(11)
      const last = result[10]!
      expect(Either.isLeft(last)).toBe(true)
      if (Either.isLeft(last)) {
        expect(last.left._tag).toBe("DcsPaginationError")
        if (last.left._tag === "DcsPaginationError") {
          expect(last.left.offset).toBe(10)
          expect(last.left.total).toBe(25)
          expect(last.left.requestId).toBe("page-1")
        }
      }
      expect(server.seen.length).toBe(2)
    }))

  it.scopedLive("a failing page fails the stream after the pages before it", () =>
    Effect.gen(function*() {
      const records = wireRecords(25)
      const ok = pagingHandler(records)
      const server = yield* testServer((request, res, i) =>
        i === 1
          ? json(res, 404, { error_code: "DCS.4401", error_msg: "gone" }, { "x-request-id": "gone" })
          : ok(request, res, i)
      )
      const result = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "inst", pageSize: 10 }).pipe(
        Stream.either,
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray),
        withClient({ endpoint: server.endpoint })
      )
      expect(result.filter(Either.isRight).length).toBe(10)
      const error = Either.flip(result[10]!)
      expect(Either.isRight(error) && error.right._tag).toBe("DcsNotFound")
    }))
})

describe("live layer: invalid settings and input, nothing sent", () => {
  it.scopedLive("an invalid endpoint or projectId fails every call with DcsInvalidRequest, nothing sent", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res) => json(res, 200, docExample))
      const host = server.endpoint.slice("http://".length)
      const settings: ReadonlyArray<readonly [string, Partial<DcsClient.Options>]> = [
        ["endpoint", { endpoint: `ftp://${host}` }],
        ["endpoint", { endpoint: `file:///etc/passwd` }],
        ["endpoint", { endpoint: `http://user:secret@${host}` }],
        ["endpoint", { endpoint: `http://user@${host}` }],
        ["endpoint", { endpoint: `http://${host}/?a=1` }],
        ["endpoint", { endpoint: `http://${host}?` }],
        ["endpoint", { endpoint: `http://${host}/#frag` }],
        ["endpoint", { endpoint: `${host}` }],
        ["endpoint", { endpoint: "" }],
        ["endpoint", { endpoint: "   " }],
        ["endpoint", { endpoint: "not a url" }],
        ["projectId", { projectId: "" }],
        ["projectId", { projectId: "   " }],
        ["projectId", { projectId: ".." }],
        ["projectId", { projectId: "p\u0000" }],
        ["timeout", { timeout: "0 millis" }]
      ]
      for (const [field, options] of settings) {
        const layer = liveClient({ endpoint: server.endpoint, projectId: PROJECT, retry: Schedule.stop, ...options })
        const errors = yield* Effect.all([
          flipList(),
          DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "inst" }).pipe(Stream.runCollect, Effect.flip),
          DcsClient.streamOfflineKeyAnalysisTaskPages({ instanceId: "inst" }).pipe(Stream.runCollect, Effect.flip)
        ]).pipe(Effect.provide(layer))
        for (const error of errors) {
          expect(error._tag, JSON.stringify(options)).toBe("DcsInvalidRequest")
          if (error._tag === "DcsInvalidRequest") expect(error.field).toBe(field)
          expect(error.message).not.toContain("secret")
        }
      }
      expect(server.seen.length).toBe(0)
    }))

  it.scopedLive("invalid input is rejected before anything is sent", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res) => json(res, 200, docExample))
      const requests: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
        ["instanceId", { instanceId: "" }],
        ["instanceId", { instanceId: ".." }],
        ["instanceId", { instanceId: "a\nb" }],
        ["instanceId", { instanceId: "\ud800" }],
        ["offset", { offset: -1 }],
        ["limit", { limit: 1.5 }],
        ["limit", { limit: 2_147_483_648 }],
        ["status", { status: "done" }],
        ["timeout", { timeout: -5 }]
      ]
      const errors = yield* Effect.forEach(
        requests,
        ([, request]) =>
          DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "inst", ...request } as any).pipe(Effect.flip)
      ).pipe(withClient({ endpoint: server.endpoint }))
      errors.forEach((error, i) => {
        expect(error._tag).toBe("DcsInvalidRequest")
        if (error._tag === "DcsInvalidRequest") expect(error.field).toBe(requests[i]![0])
      })
      const streamErrors = yield* Effect.all([
        DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "inst", pageSize: 0 }).pipe(
          Stream.runCollect,
          Effect.flip
        ),
        DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: "." }).pipe(Stream.runCollect, Effect.flip)
      ]).pipe(withClient({ endpoint: server.endpoint }))
      expect(streamErrors.map((e) => e._tag === "DcsInvalidRequest" && e.field)).toEqual(["pageSize", "instanceId"])
      expect(server.seen.length).toBe(0)
    }))
})
