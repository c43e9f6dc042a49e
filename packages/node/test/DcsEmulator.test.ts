import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, expect, it, layer } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import { createRequire } from "node:module"
import * as DcsEmulator from "../src/DcsEmulator.js"
import * as Signer from "../src/Signer.js"

type Emulator = DcsEmulator.DcsEmulator["Type"]

interface Answer {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  readonly json: any
}

interface CallOptions {
  readonly method?: "GET" | "POST" | "DELETE"
  /** Default: the list path of the emulator's first instance. */
  readonly path?: string
  readonly params?: Readonly<Record<string, string | ReadonlyArray<string>>>
  readonly projectId?: string
  readonly accessKeyId?: string
  readonly secretAccessKey?: string
  readonly securityToken?: string
  /** Shifts the signing instant. */
  readonly skewMillis?: number
  readonly unsigned?: boolean
  /** Changes the request after it is signed. */
  readonly tamper?: (request: HttpClientRequest.HttpClientRequest) => HttpClientRequest.HttpClientRequest
}

const listPath = (emulator: Emulator, instanceId = emulator.instanceId, projectId = emulator.projectId) =>
  `/v2/${projectId}/instances/${instanceId}/offline/key-analysis`

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** A request through real HTTP, signed with the Signer's pure `signRequest` at the Clock's time. */
const call = (emulator: Emulator, options: CallOptions = {}) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const now = (yield* Clock.currentTimeMillis) + (options.skewMillis ?? 0)
    const unsigned = HttpClientRequest.make(options.method ?? "GET")(
      emulator.url + (options.path ?? listPath(emulator)),
      { urlParams: options.params ?? {} }
    )
    const signed = options.unsigned === true ? unsigned : Signer.signRequest(unsigned, {
      credentials: {
        accessKeyId: options.accessKeyId ?? emulator.credentials.accessKeyId,
        secretAccessKey: options.secretAccessKey === undefined
          ? emulator.credentials.secretAccessKey
          : Redacted.make(options.secretAccessKey),
        securityToken: options.securityToken === undefined ? undefined : Redacted.make(options.securityToken)
      },
      projectId: options.projectId ?? emulator.projectId,
      now
    })
    const response = yield* client.execute(options.tamper === undefined ? signed : options.tamper(signed))
    const text = yield* response.text
    const answer: Answer = { status: response.status, headers: response.headers, text, json: parseJson(text) }
    return answer
  }).pipe(Effect.scoped)

const expectError = (answer: Answer, status: number, code: string) => {
  expect(answer.status).toBe(status)
  expect(answer.headers["content-type"]).toContain("application/json")
  expect(answer.json).toMatchObject({ error_code: code, error_ext_msg: null })
  expect(typeof answer.json.error_msg).toBe("string")
}

const requestIdPattern = /^[0-9a-f]{32}$/

/** Polls until `predicate` holds (at most about 2 s). */
const eventually = <A>(effect: Effect.Effect<A>, predicate: (a: A) => boolean) =>
  effect.pipe(
    Effect.filterOrFail(predicate),
    Effect.retry({ schedule: Schedule.spaced("10 millis"), times: 200 }),
    Effect.orDie
  )

const withEmulator = (options?: DcsEmulator.Options) =>
  Effect.provide(Layer.merge(DcsEmulator.layer(options), NodeHttpClient.layer))

const tasks25 = DcsEmulator.generateTasks(25, { seed: 7 })

describe("DcsEmulator", () => {
  describe("generateTasks", () => {
    it("is deterministic and realistic", () => {
      const tasks = DcsEmulator.generateTasks(500, { seed: 3, now: Date.parse("2025-01-01T00:00:00.000Z") })
      expect(DcsEmulator.generateTasks(500, { seed: 3, now: Date.parse("2025-01-01T00:00:00.000Z") })).toEqual(tasks)
      expect(DcsEmulator.generateTasks(500, { seed: 4 })).not.toEqual(tasks)
      expect(tasks).toHaveLength(500)
      expect(new Set(tasks.map((task) => task.id)).size).toBe(500)
      const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
      const blank = (value: unknown) => value === undefined || value === null || value === ""
      for (const [i, task] of tasks.entries()) {
        expect(task.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
        expect(task.created_at).toMatch(iso)
        expect(Date.parse(task.created_at!)).toBeLessThan(Date.parse("2025-01-01T00:00:00.000Z"))
        if (i > 0) expect(Date.parse(task.created_at!)).toBeLessThan(Date.parse(tasks[i - 1]!.created_at!))
        switch (task.status) {
          case "waiting":
            expect(blank(task.started_at) && blank(task.finished_at)).toBe(true)
            break
          case "running":
            expect(task.started_at).toMatch(iso)
            expect(blank(task.finished_at)).toBe(true)
            break
          default: {
            expect(["success", "failed"]).toContain(task.status)
            const created = Date.parse(task.created_at!)
            const started = Date.parse(task.started_at!)
            const finished = Date.parse(task.finished_at!)
            expect(started - created).toBeGreaterThanOrEqual(2_000)
            expect(started - created).toBeLessThan(8_000)
            expect(finished).toBeGreaterThan(started)
          }
        }
      }
      const unfinished = tasks.findIndex((task) => task.status === "success" || task.status === "failed")
      expect(unfinished).toBeGreaterThan(0)
      expect(tasks[unfinished - 1]!.status).toBe("running")
      expect(tasks.slice(unfinished).every((task) => task.status === "success" || task.status === "failed")).toBe(true)
      expect(tasks.filter((task) => task.status === "failed").length).toBeGreaterThan(10)
      expect(tasks.filter((task) => task.status === "success").length).toBeGreaterThan(400)
    })

    it("covers absent, null and empty time fields", () => {
      const shapes = new Set<string>()
      for (let seed = 0; seed < 30; seed++) {
        for (const task of DcsEmulator.generateTasks(10, { seed })) {
          if (task.status !== "waiting" && task.status !== "running") continue
          shapes.add(!("finished_at" in task) ? "absent" : task.finished_at === null ? "null" : `"${task.finished_at}"`)
        }
      }
      expect([...shapes].sort()).toEqual(["\"\"", "absent", "null"])
      expect(DcsEmulator.generateTasks(5).every((task) => task.status === "success" || task.status === "failed")).toBe(
        true
      )
    })
  })

  // One emulator for the read-only tests, on real time (with the TestClock, signatures would be
  // dated 1970). Beware: @effect/vitest 0.30's `layer(...)` assigns its own `effect`, `scoped` and
  // `layer` onto vitest's shared `it` object, so a plain `it.effect` collected after this block
  // runs in this block's runtime. The tests outside it use `it.live`.
  layer(Layer.merge(DcsEmulator.layer({ instances: [{ id: "inst-1", tasks: tasks25 }] }), NodeHttpClient.layer), {
    excludeTestServices: true
  })("listing", (it) => {
    it.effect("pages newest first with offset, limit and total", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const pages = yield* Effect.forEach(
          [0, 10, 20],
          (offset) => call(emulator, { params: { offset: String(offset), limit: "10" } })
        )
        for (const page of pages) {
          expect(page.status).toBe(200)
          expect(page.json.instance_id).toBe("inst-1")
          expect(page.json.total).toBe(25)
        }
        expect(pages.map((page) => page.json.records.length)).toEqual([10, 10, 5])
        const records = pages.flatMap((page) => page.json.records)
        expect(records).toEqual(yield* emulator.tasks())
        const created = records.map((record: DcsEmulator.WireTask) => Date.parse(record.created_at!))
        expect(created).toEqual([...created].sort((a, b) => b - a))
        expect(records[0]).toEqual(tasks25[0])
      }))

    it.effect("defaults to offset 0 and limit 10", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const answer = yield* call(emulator)
        expect(answer.json.records).toEqual(tasks25.slice(0, 10))
        expect(Object.keys(answer.json).sort()).toEqual(["instance_id", "records", "total"])
      }))

    it.effect("filters by status; total counts the matching tasks", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        for (const status of ["success", "failed", "running", "waiting"]) {
          const matching = tasks25.filter((task) => task.status === status)
          const answer = yield* call(emulator, { params: { status, offset: "1", limit: "3" } })
          expect(answer.status).toBe(200)
          expect(answer.json.total).toBe(matching.length)
          expect(answer.json.records).toEqual(matching.slice(1, 4))
        }
      }))

    it.effect("limit=0 gives no records but the total; an offset past the end gives none", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const none = yield* call(emulator, { params: { limit: "0" } })
        expect(none.json).toEqual({ instance_id: "inst-1", total: 25, records: [] })
        const past = yield* call(emulator, { params: { offset: "25" } })
        expect(past.json).toEqual({ instance_id: "inst-1", total: 25, records: [] })
      }))

    it.effect("rejects invalid parameters with 400 DCS.4961", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const cases: ReadonlyArray<readonly [Record<string, string | ReadonlyArray<string>>, string]> = [
          [{ offset: "-1" }, "offset"],
          [{ offset: "abc" }, "offset"],
          [{ offset: "99999999999" }, "offset"],
          [{ limit: "1.5" }, "limit"],
          [{ limit: "-3" }, "limit"],
          [{ limit: "" }, "limit"],
          [{ limit: ["1", "2"] }, "limit"],
          [{ status: "done" }, "status"],
          [{ status: "SUCCESS" }, "status"]
        ]
        for (const [params, name] of cases) {
          const answer = yield* call(emulator, { params })
          expectError(answer, 400, "DCS.4961")
          expect(answer.json.error_msg).toBe(`Invalid parameter: ${name}`)
        }
      }))

    it.effect("unknown instance 404 DCS.4401, other project 403, unknown route 404 APIGW.0101", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const instance = yield* call(emulator, { path: listPath(emulator, "nope") })
        expectError(instance, 404, "DCS.4401")
        expect(instance.json.error_msg).toBe("The instance does not exist.")
        expectError(yield* call(emulator, { path: listPath(emulator, "inst-1", "f".repeat(32)) }), 403, "DCS.4003")
        // The signed X-Project-Id names another project than the path.
        expectError(yield* call(emulator, { projectId: "e".repeat(32) }), 403, "DCS.4003")
        for (
          const [method, path] of [
            ["GET", "/"],
            ["GET", `${listPath(emulator)}/some-task`],
            ["GET", `${listPath(emulator)}/some-task/nodes`],
            ["POST", listPath(emulator)],
            ["DELETE", listPath(emulator)],
            ["GET", "/v1/whatever"]
          ] as const
        ) {
          expectError(yield* call(emulator, { method, path }), 404, "APIGW.0101")
        }
      }))

    it.effect("checks the signature like the gateway: 401 APIGW.0301 echoing the canonical request", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        // The query is changed after signing: the gateway's canonical request shows what it saw.
        const tampered = yield* call(emulator, {
          params: { limit: "2" },
          tamper: (request) => HttpClientRequest.setUrl(request, request.url.replace("limit=2", "limit=3"))
        })
        expectError(tampered, 401, "APIGW.0301")
        const message: string = tampered.json.error_msg
        expect(message).toMatch(/^Incorrect IAM authentication information: verify aksk signature fail, /)
        expect(message).toContain(`canonicalRequest: GET|${listPath(emulator)}/|limit=3|`)
        expect(message).toContain(`|x-project-id:${emulator.projectId}|`)
        expect(message).not.toContain("\n")

        const wrongSecret = yield* call(emulator, { secretAccessKey: "not-the-secret" })
        expectError(wrongSecret, 401, "APIGW.0301")
        expect(wrongSecret.json.error_msg).toContain("canonicalRequest: GET|")
        expect(wrongSecret.json.error_msg).not.toContain("not-the-secret")

        const unknownKey = yield* call(emulator, { accessKeyId: "SOMEONEELSE" })
        expectError(unknownKey, 401, "APIGW.0301")
        expect(unknownKey.json.error_msg).toContain("SOMEONEELSE")

        const stale = yield* call(emulator, { skewMillis: -20 * 60_000 })
        expectError(stale, 401, "APIGW.0301")
        expect(stale.json.error_msg).toContain("X-Sdk-Date")

        expectError(yield* call(emulator, { unsigned: true }), 401, "APIGW.0301")
        // Authentication comes before routing.
        expectError(yield* call(emulator, { unsigned: true, path: "/nowhere" }), 401, "APIGW.0301")
        // Still within the 15 minutes.
        expect((yield* call(emulator, { skewMillis: 10 * 60_000 })).status).toBe(200)
      }))

    it.effect("accepts requests signed by the official Huawei Cloud Node SDK signer", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const client = yield* HttpClient.HttpClient
        const require = createRequire(import.meta.url)
        const { AKSKSigner } = require("@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js") as {
          readonly AKSKSigner: {
            readonly sign: (
              request: {
                readonly endpoint: string
                readonly method: string
                readonly headers: Record<string, string>
                readonly queryParams: Record<string, unknown>
              },
              credential: { readonly getAk: () => string; readonly getSk: () => string }
            ) => Record<string, string>
          }
        }
        const url = emulator.url + listPath(emulator)
        const headers = AKSKSigner.sign(
          { endpoint: url, method: "GET", headers: { "X-Project-Id": emulator.projectId }, queryParams: { limit: 2 } },
          {
            getAk: () => emulator.credentials.accessKeyId,
            getSk: () => Redacted.value(emulator.credentials.secretAccessKey)
          }
        )
        const response = yield* client.execute(
          HttpClientRequest.get(`${url}?limit=2`).pipe(HttpClientRequest.setHeaders(headers))
        )
        expect(response.status).toBe(200)
        const body = (yield* response.json) as { readonly records: ReadonlyArray<unknown> }
        expect(body.records).toHaveLength(2)
      }).pipe(Effect.scoped))
  })

  it.live("answers DCS.4230 for an instance without offline key analysis", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const answer = yield* call(emulator, { path: listPath(emulator, "redis-3") })
      expectError(answer, 400, "DCS.4230")
      expect(answer.json.error_msg).toBe("Does not support offline key analysis.")
      // putInstance can change it at runtime.
      yield* emulator.putInstance({ id: "redis-3", supportsKeyAnalysis: true, tasks: tasks25.slice(0, 2) })
      expect((yield* call(emulator, { path: listPath(emulator, "redis-3") })).json.total).toBe(2)
    }).pipe(withEmulator({ instances: [{ id: "main" }, { id: "redis-3", supportsKeyAnalysis: false }] })))

  it.live("puts X-Request-Id on every response and records every request", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      yield* emulator.injectFaults(
        { _tag: "Status", status: 503 },
        { _tag: "HtmlBadGateway" },
        { _tag: "MalformedJson" },
        { _tag: "Body", status: 200, contentType: "text/plain", body: "hello" }
      )
      const answers = [
        yield* call(emulator),
        yield* call(emulator),
        yield* call(emulator),
        yield* call(emulator),
        yield* call(emulator),
        yield* call(emulator, { params: { limit: "x" } }),
        yield* call(emulator, { unsigned: true }),
        yield* call(emulator, { path: "/nowhere" }),
        yield* call(emulator, { path: listPath(emulator, "nope") })
      ]
      expect(answers.map((answer) => answer.status)).toEqual([503, 502, 200, 200, 200, 400, 401, 404, 404])
      const ids = answers.map((answer) => answer.headers["x-request-id"])
      for (const id of ids) expect(id).toMatch(requestIdPattern)
      expect(new Set(ids).size).toBe(ids.length)

      const recorded = yield* emulator.requests
      expect(recorded.map((request) => request.requestId)).toEqual(ids)
      expect(recorded.map((request) => request.status)).toEqual(answers.map((answer) => answer.status))
      expect(recorded.map((request) => request.fault)).toEqual([
        "Status",
        "HtmlBadGateway",
        "MalformedJson",
        "Body",
        undefined,
        undefined,
        undefined,
        undefined,
        undefined
      ])
      expect(recorded.map((request) => request.errorCode)).toEqual([
        "DCS.5003",
        undefined,
        undefined,
        undefined,
        undefined,
        "DCS.4961",
        "APIGW.0301",
        "APIGW.0101",
        "DCS.4401"
      ])
      expect(recorded[5]).toMatchObject({ method: "GET", path: listPath(emulator), query: "limit=x" })
      yield* emulator.clearRequests
      expect(yield* emulator.requests).toEqual([])
    }).pipe(withEmulator()))

  it.live("redacts the signature and the security token in recorded requests", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      expect((yield* call(emulator, { securityToken: "token-secret" })).status).toBe(200)
      const [recorded] = yield* emulator.requests
      const authorization = recorded!.headers["authorization"]!
      expect(authorization).toMatch(
        /^SDK-HMAC-SHA256 Access=DCSEMULATORACCESSKEY, SignedHeaders=host;x-project-id;x-sdk-date;x-security-token, Signature=<redacted>$/
      )
      expect(recorded!.headers["x-security-token"]).toBe("<redacted>")
      expect(JSON.stringify(recorded)).not.toContain("token-secret")
      expect(recorded!.headers["x-project-id"]).toBe(emulator.projectId)
    }).pipe(withEmulator()))

  describe("faults", () => {
    it.live("Status: any status, Retry-After as given, a JSON body or the one given", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const date = "Wed, 21 Oct 2015 07:28:00 GMT"
        yield* emulator.injectFaults(
          { _tag: "Status", status: 429, retryAfter: "2" },
          { _tag: "Status", status: 503, retryAfter: date },
          { _tag: "Status", status: 500 },
          { _tag: "Status", status: 504, body: "{\"code\":\"X\",\"message\":\"other shape\"}" },
          { _tag: "Status", status: 418, body: "teapot", contentType: "text/plain" }
        )
        const throttled = yield* call(emulator)
        expectError(throttled, 429, "APIGW.0308")
        expect(throttled.headers["retry-after"]).toBe("2")
        const unavailable = yield* call(emulator)
        expect(unavailable.status).toBe(503)
        expect(unavailable.headers["retry-after"]).toBe(date)
        const failed = yield* call(emulator)
        expectError(failed, 500, "DCS.5000")
        expect(failed.headers["retry-after"]).toBeUndefined()
        const otherShape = yield* call(emulator)
        expect(otherShape.status).toBe(504)
        expect(otherShape.json).toEqual({ code: "X", message: "other shape" })
        const teapot = yield* call(emulator)
        expect(teapot).toMatchObject({ status: 418, text: "teapot" })
        expect(teapot.headers["content-type"]).toBe("text/plain")
        // Consumed: the next request is answered normally.
        expect((yield* call(emulator)).status).toBe(200)
        expect(yield* emulator.pendingFaults).toEqual([])
      }).pipe(withEmulator()))

    it.live("HtmlBadGateway: 502 with an nginx page", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        yield* emulator.injectFaults({ _tag: "HtmlBadGateway" })
        const answer = yield* call(emulator)
        expect(answer.status).toBe(502)
        expect(answer.headers["content-type"]).toContain("text/html")
        expect(answer.text).toContain("<h1>502 Bad Gateway</h1>")
        expect(answer.json).toBeUndefined()
        expect(answer.headers["x-request-id"]).toMatch(requestIdPattern)
      }).pipe(withEmulator()))

    it.live("MalformedJson: 200 with a truncated JSON body", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        yield* emulator.injectFaults({ _tag: "MalformedJson" })
        const answer = yield* call(emulator)
        expect(answer.status).toBe(200)
        expect(answer.headers["content-type"]).toContain("application/json")
        expect(answer.text.startsWith(`{"instance_id":"${emulator.instanceId}","total":`)).toBe(true)
        expect(() => JSON.parse(answer.text)).toThrow()
      }).pipe(withEmulator()))

    it.live("Body: any raw answer, with or without X-Request-Id", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        yield* emulator.injectFaults(
          {
            _tag: "Body",
            status: 200,
            contentType: "application/json",
            body: "{\"instance_id\":1,\"total\":\"many\",\"records\":{}}",
            headers: { "x-extra": "yes" }
          },
          {
            _tag: "Body",
            status: 500,
            contentType: "application/octet-stream",
            body: new Uint8Array([0, 255, 1]),
            withoutRequestId: true
          }
        )
        const hostile = yield* call(emulator)
        expect(hostile.json).toEqual({ instance_id: 1, total: "many", records: {} })
        expect(hostile.headers["x-extra"]).toBe("yes")
        expect(hostile.headers["x-request-id"]).toMatch(requestIdPattern)
        const bytes = yield* call(emulator)
        expect(bytes.status).toBe(500)
        expect(bytes.headers["content-type"]).toBe("application/octet-stream")
        expect(bytes.headers["content-length"]).toBe("3")
        expect(bytes.headers["x-request-id"]).toBeUndefined()
      }).pipe(withEmulator()))

    it.live("Drop: the connection is closed without an answer", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        yield* emulator.injectFaults({ _tag: "Drop" })
        const error = yield* Effect.flip(call(emulator))
        expect(error._tag).toBe("RequestError")
        expect(error.reason).toBe("Transport")
        expect((yield* call(emulator)).status).toBe(200)
        const recorded = yield* emulator.requests
        expect(recorded.map((request) => [request.fault, request.status])).toEqual([["Drop", undefined], [
          undefined,
          200
        ]])
      }).pipe(withEmulator()))

    it.live("Stall: no answer until the client gives up; the emulator keeps serving", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        yield* emulator.injectFaults({ _tag: "Stall" })
        const start = yield* Clock.currentTimeMillis
        const result = yield* call(emulator).pipe(Effect.timeout("300 millis"), Effect.either)
        assert(result._tag === "Left")
        expect(result.left._tag).toBe("TimeoutException")
        expect((yield* Clock.currentTimeMillis) - start).toBeGreaterThanOrEqual(290)
        expect((yield* call(emulator)).status).toBe(200)
        const recorded = yield* emulator.requests
        expect(recorded.map((request) => [request.fault, request.status])).toEqual([["Stall", undefined], [
          undefined,
          200
        ]])
      }).pipe(withEmulator()))

    it.live("faults are consumed in order by the requests they match", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        yield* emulator.injectFaults(
          { _tag: "Status", status: 500, match: (request) => request.query.includes("offset=10") },
          { _tag: "Status", status: 429 }
        )
        // The first fault does not match; the second does.
        expect((yield* call(emulator)).status).toBe(429)
        expect((yield* call(emulator)).status).toBe(200)
        expect((yield* emulator.pendingFaults).map((fault) => fault._tag)).toEqual(["Status"])
        expect((yield* call(emulator, { params: { offset: "10" } })).status).toBe(500)
        expect(yield* emulator.pendingFaults).toEqual([])
      }).pipe(withEmulator()))

    it.live("latency delays every answer", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        yield* emulator.setFaultSettings({ latency: "150 millis" })
        yield* emulator.injectFaults({ _tag: "Status", status: 503 })
        for (const expected of [503, 200]) {
          const start = yield* Clock.currentTimeMillis
          expect((yield* call(emulator)).status).toBe(expected)
          expect((yield* Clock.currentTimeMillis) - start).toBeGreaterThanOrEqual(145)
        }
        yield* emulator.setFaultSettings({ latency: 0 })
        expect(Duration.toMillis((yield* emulator.faultSettings).latency)).toBe(0)
      }).pipe(withEmulator()))

    it.live("maxLimit caps the records of a page, silently", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const capped = yield* call(emulator, { params: { limit: "10" } })
        expect(capped.json.records).toEqual(tasks25.slice(0, 3))
        expect(capped.json.total).toBe(25)
        expect((yield* call(emulator, { params: { limit: "2" } })).json.records).toHaveLength(2)
        yield* emulator.setFaultSettings({ maxLimit: undefined })
        expect((yield* call(emulator, { params: { limit: "10" } })).json.records).toHaveLength(10)
        yield* emulator.setFaultSettings({ maxLimit: 5 })
        expect((yield* call(emulator, { params: { limit: "10" } })).json.records).toHaveLength(5)
      }).pipe(withEmulator({ instances: [{ id: "i", tasks: tasks25 }], faults: { maxLimit: 3 } })))

    it.live("insertTasksWhilePaging shifts the next page", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const first = yield* call(emulator, { params: { limit: "10" } })
        expect(first.json.total).toBe(25)
        expect(first.json.records).toEqual(tasks25.slice(0, 10))
        const second = yield* call(emulator, { params: { offset: "10", limit: "10" } })
        expect(second.json.total).toBe(27)
        // Two tasks were created at the head: the last two of the first page come again.
        expect(second.json.records).toEqual(tasks25.slice(8, 18))
        const all = yield* emulator.tasks()
        expect(all).toHaveLength(29)
        expect(all.slice(0, 4).map((task) => task.status)).toEqual(["waiting", "waiting", "waiting", "waiting"])
        expect(Date.parse(all[0]!.created_at!)).toBeGreaterThan(Date.parse(all[1]!.created_at!))
        // Errors insert nothing.
        yield* call(emulator, { params: { limit: "-1" } })
        expect(yield* emulator.tasks()).toHaveLength(29)
      }).pipe(withEmulator({ instances: [{ id: "i", tasks: tasks25 }], faults: { insertTasksWhilePaging: 2 } })))

    it.live("ignoreOffset serves every page from offset 0", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const page = yield* call(emulator, { params: { offset: "10", limit: "5" } })
        expect(page.json.records).toEqual(tasks25.slice(0, 5))
        yield* emulator.setFaultSettings({ ignoreOffset: false })
        expect((yield* call(emulator, { params: { offset: "10", limit: "5" } })).json.records).toEqual(
          tasks25.slice(10, 15)
        )
      }).pipe(withEmulator({ instances: [{ id: "i", tasks: tasks25 }], faults: { ignoreOffset: true } })))

    it.live("reset restores the initial tasks and settings, and clears faults and requests", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        yield* emulator.addTasks([{ id: "old", status: "success", created_at: "2000-01-01T00:00:00.000Z" }])
        yield* emulator.addTasks([{ id: "new", status: "running", created_at: "2100-01-01T00:00:00.000Z" }])
        const tasks = yield* emulator.tasks()
        expect(tasks[0]!.id).toBe("new")
        expect(tasks[tasks.length - 1]!.id).toBe("old")
        yield* emulator.setFaultSettings({ maxLimit: 1, ignoreOffset: true })
        yield* emulator.injectFaults({ _tag: "Drop" })
        yield* emulator.reset
        expect(yield* emulator.tasks()).toEqual(tasks25)
        expect(yield* emulator.pendingFaults).toEqual([])
        expect(yield* emulator.requests).toEqual([])
        expect(yield* emulator.faultSettings).toMatchObject({ maxLimit: undefined, ignoreOffset: false })
        expect((yield* call(emulator)).json.records).toHaveLength(10)
      }).pipe(withEmulator({ instances: [{ id: "i", tasks: tasks25 }] })))
  })

  describe("lifecycle", () => {
    it.live("defaults: a loopback URL, a 32-hex project, redacted credentials, generated tasks", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
        expect(emulator.projectId).toMatch(/^[0-9a-f]{32}$/)
        expect(emulator.projectId).toBe(DcsEmulator.defaultProjectId)
        expect(emulator.instanceId).toBe(DcsEmulator.defaultInstanceId)
        expect(emulator.credentials.accessKeyId).toBe(DcsEmulator.defaultCredentials.accessKeyId)
        expect(String(emulator.credentials.secretAccessKey)).toBe("<redacted>")
        const answer = yield* call(emulator, { params: { limit: "100" } })
        expect(answer.json.total).toBe(42)
        expect(answer.json.records).toEqual(DcsEmulator.generateTasks(42))
      }).pipe(Effect.provide(Layer.merge(DcsEmulator.DcsEmulator.layer(), NodeHttpClient.layer))))

    it.live("closing the scope stops the server and ends stalled requests", () =>
      Effect.gen(function*() {
        const scope = yield* Scope.make()
        const emulator = yield* DcsEmulator.make().pipe(Scope.extend(scope))
        yield* emulator.injectFaults({ _tag: "Stall" })
        const stalled = yield* Effect.fork(call(emulator))
        yield* eventually(emulator.requests, (requests) => requests.length === 1)
        // Does not wait for the stalled connection.
        yield* Scope.close(scope, Exit.void).pipe(
          Effect.timeoutFail({ duration: "3 seconds", onTimeout: () => "hung" })
        )
        const exit = yield* Fiber.await(stalled).pipe(Effect.timeout("3 seconds"))
        expect(Exit.isFailure(exit)).toBe(true)
        const refused = yield* Effect.flip(call(emulator))
        expect(refused._tag).toBe("RequestError")
        expect(refused.reason).toBe("Transport")
      }).pipe(Effect.provide(NodeHttpClient.layer)))

    it.live("fails with ServeError when the port is taken", () =>
      Effect.gen(function*() {
        const first = yield* DcsEmulator.make()
        const port = Number(first.url.split(":").at(-1))
        const error = yield* Effect.flip(DcsEmulator.make({ port }))
        expect(error._tag).toBe("ServeError")
      }).pipe(Effect.scoped))

    // it.live with an explicit TestContext: the `layer(...)` block above has replaced `it.effect`
    // of the shared `it` for every test collected after it (see the note there).
    it.live("runs on the TestClock: signatures and new tasks use Effect's Clock", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        // The TestClock reads 1970: signed with that clock, the request is accepted.
        expect(yield* Clock.currentTimeMillis).toBe(0)
        const first = yield* call(emulator, { params: { limit: "1" } })
        expect(first.status).toBe(200)
        // A task created at runtime still goes to the head, after the seeded 2024 ones.
        const [created] = yield* emulator.tasks()
        expect(created!.status).toBe("waiting")
        expect(Date.parse(created!.created_at!)).toBeGreaterThan(Date.parse(tasks25[0]!.created_at!))
        // Signer and emulator read the same clock, however far it moves.
        yield* TestClock.adjust("1 hour")
        expect((yield* call(emulator)).status).toBe(200)
        const [later] = yield* emulator.tasks()
        expect(Date.parse(later!.created_at!)).toBe(Date.parse(created!.created_at!) + 1)
      }).pipe(
        withEmulator({ instances: [{ id: "i", tasks: tasks25 }], faults: { insertTasksWhilePaging: 1 } }),
        Effect.provide(TestContext.TestContext)
      ))
  })
})
