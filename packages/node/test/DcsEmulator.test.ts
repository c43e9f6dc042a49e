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
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import * as DcsEmulator from "../src/DcsEmulator.js"
import * as Signer from "../src/Signer.js"
import { eventually, official } from "./support/common.js"

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
  /** Sent as `application/json` and signed: a string as it is, anything else through JSON.stringify. */
  readonly body?: unknown
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
    const bare = HttpClientRequest.make(options.method ?? "GET")(
      emulator.url + (options.path ?? listPath(emulator)),
      { urlParams: options.params ?? {} }
    )
    const unsigned = options.body === undefined ? bare : HttpClientRequest.bodyText(
      bare,
      typeof options.body === "string" ? options.body : JSON.stringify(options.body),
      "application/json"
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
            ["POST", `${listPath(emulator)}/some-task`],
            ["DELETE", `${listPath(emulator)}/some-task/nodes`],
            ["GET", `${listPath(emulator)}/some-task/nodes/more`],
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
        const url = emulator.url + listPath(emulator)
        const headers = official.sign(
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

  describe("offline key analysis resource", () => {
    const taskPath = (emulator: Emulator, taskId: string, instanceId = emulator.instanceId) =>
      `${listPath(emulator, instanceId)}/${encodeURIComponent(taskId)}`
    const nodesPath = (emulator: Emulator, taskId: string, instanceId = emulator.instanceId) =>
      `${taskPath(emulator, taskId, instanceId)}/nodes`

    const create = (emulator: Emulator, body: unknown, instanceId = emulator.instanceId) =>
      call(emulator, { method: "POST", path: listPath(emulator, instanceId), body })

    /** Creates an analysis that must be accepted; its task id. */
    const created = (emulator: Emulator, body: unknown, instanceId = emulator.instanceId) =>
      Effect.map(create(emulator, body, instanceId), (answer) => {
        expect(answer.status).toBe(200)
        expect(Object.keys(answer.json)).toEqual(["task_id"])
        expect(answer.json.task_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
        return answer.json.task_id as string
      })

    const record = (emulator: Emulator, taskId: string) =>
      Effect.map(
        call(emulator, { params: { limit: "1000" } }),
        (answer) => answer.json.records.find((task: DcsEmulator.WireTask) => task.id === taskId)
      )

    const show = (emulator: Emulator, taskId: string) => call(emulator, { path: taskPath(emulator, taskId) })

    const reportFields = [
      "total_bytes",
      "total_num",
      "largest_key_prefixes",
      "largest_keys",
      "type_bytes",
      "type_num"
    ] as const

    const iso = (millis: number) => new Date(millis).toISOString()

    // Under the TestClock, which starts at 0: see the note on the `layer(...)` block above for
    // why this is `it.live` with an explicit TestContext.
    const onTestClock = (options?: DcsEmulator.Options) =>
    <A, E>(
      effect: Effect.Effect<A, E, DcsEmulator.DcsEmulator | HttpClient.HttpClient>
    ) => effect.pipe(withEmulator(options), Effect.provide(TestContext.TestContext))

    it.live("create → waiting → running → success as the clock moves; show follows", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const [master] = yield* emulator.nodes()
        const taskId = yield* created(emulator, { node_id: master!.id })

        // Waiting: at the head of the list, created now, no other times; show without a report.
        const list = yield* call(emulator)
        expect(list.json.total).toBe(1)
        expect(list.json.records).toEqual([{ id: taskId, status: "waiting", created_at: iso(0) }])
        expect(yield* emulator.tasks()).toEqual(list.json.records)
        const waiting = yield* show(emulator, taskId)
        expect(waiting.status).toBe(200)
        expect(waiting.json).toEqual({
          id: taskId,
          instance_id: "i",
          node_id: master!.id,
          group_name: "group-0",
          node_ip: master!.ip,
          node_ipv6: master!.ipv6,
          node_type: "master",
          analysis_type: "new_backup"
        })

        yield* TestClock.adjust("1999 millis")
        expect((yield* record(emulator, taskId)).status).toBe("waiting")

        // Running: started_at; the new backup it analyses now has an id.
        yield* TestClock.adjust("1 millis")
        expect(yield* record(emulator, taskId)).toEqual({
          id: taskId,
          status: "running",
          created_at: iso(0),
          started_at: iso(2_000)
        })
        const running = yield* show(emulator, taskId)
        expect(running.json.started_at).toBe(iso(2_000))
        expect(running.json.backup_id).toMatch(/^[0-9a-f-]{36}$/)
        expect("finished_at" in running.json).toBe(false)
        for (const field of reportFields) expect(field in running.json).toBe(false)
        expect("status" in running.json).toBe(false)
        expect((yield* call(emulator, { params: { status: "running" } })).json.total).toBe(1)

        yield* TestClock.adjust("7999 millis")
        expect((yield* record(emulator, taskId)).status).toBe("running")

        // Success: finished_at, and the instance's report at that time.
        yield* TestClock.adjust("1 millis")
        expect(yield* record(emulator, taskId)).toEqual({
          id: taskId,
          status: "success",
          created_at: iso(0),
          started_at: iso(2_000),
          finished_at: iso(10_000)
        })
        const success = yield* show(emulator, taskId)
        expect(success.json).toEqual({
          ...running.json,
          finished_at: iso(10_000),
          ...DcsEmulator.reportAt("i", 10_000)
        })
        expect("status" in success.json).toBe(false)
        // Stable from then on.
        yield* TestClock.adjust("1 day")
        expect((yield* show(emulator, taskId)).json).toEqual(success.json)
        const filtered = yield* call(emulator, { params: { status: "success" } })
        expect(filtered.json.records.map((task: DcsEmulator.WireTask) => task.id)).toEqual([taskId])
        expect((yield* call(emulator, { params: { status: "waiting" } })).json.total).toBe(0)
      }).pipe(onTestClock({ instances: [{ id: "i" }] })))

    it.live("a new analysis heads the list even when the clock is behind the seeded tasks", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const [, slave] = yield* emulator.nodes()
        const taskId = yield* created(emulator, { node_id: slave!.id })
        const [head] = yield* emulator.tasks()
        expect(head!.id).toBe(taskId)
        const createdAt = Date.parse(head!.created_at!)
        expect(createdAt).toBe(Date.parse(tasks25[0]!.created_at!) + 1)
        yield* TestClock.adjust("10 seconds")
        // The times keep their spacing; the status follows the clock.
        expect(yield* record(emulator, taskId)).toEqual({
          id: taskId,
          status: "success",
          created_at: iso(createdAt),
          started_at: iso(createdAt + 2_000),
          finished_at: iso(createdAt + 10_000)
        })
        expect((yield* show(emulator, taskId)).json.node_type).toBe("slave")
        expect(yield* emulator.tasks()).toEqual([yield* record(emulator, taskId), ...tasks25])
      }).pipe(onTestClock({ instances: [{ id: "i", tasks: tasks25 }] })))

    it.live("failed outcomes: failNextAnalysis, failWhen; durations from the options and at runtime", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const [master, slave] = yield* emulator.nodes()
        expect(yield* emulator.analysisSettings).toMatchObject({ failWhen: undefined })
        expect(Duration.toMillis((yield* emulator.analysisSettings).waitingFor)).toBe(0)
        expect(Duration.toMillis((yield* emulator.analysisSettings).runningFor)).toBe(1_000)

        // waitingFor 0: running at once.
        yield* emulator.failNextAnalysis
        const failing = yield* created(emulator, { node_id: master!.id })
        expect((yield* record(emulator, failing)).status).toBe("running")
        const fine = yield* created(emulator, { node_id: slave!.id })
        yield* TestClock.adjust("1 second")
        expect((yield* record(emulator, failing)).status).toBe("failed")
        expect((yield* record(emulator, fine)).status).toBe("success")
        const failed = yield* show(emulator, failing)
        expect(failed.json).toMatchObject({ started_at: iso(0), finished_at: iso(1_000), node_id: master!.id })
        for (const field of reportFields) expect(field in failed.json).toBe(false)
        expect((yield* call(emulator, { params: { status: "failed" } })).json.total).toBe(1)

        // failWhen sees the request; later settings apply to later tasks only.
        const seen: Array<DcsEmulator.AnalysisRequest> = []
        yield* emulator.setAnalysisSettings({
          waitingFor: "5 seconds",
          failWhen: (request) => {
            seen.push(request)
            return request.nodeId === slave!.id
          }
        })
        const onSlave = yield* created(emulator, { node_id: slave!.id, backup_id: "backup-1" })
        const onMaster = yield* created(emulator, { node_id: master!.id })
        expect(seen).toEqual([
          { instanceId: emulator.instanceId, nodeId: slave!.id, backupId: "backup-1" },
          { instanceId: emulator.instanceId, nodeId: master!.id, backupId: undefined }
        ])
        yield* emulator.setAnalysisSettings({ waitingFor: "1 hour", failWhen: undefined })
        expect((yield* emulator.analysisSettings).failWhen).toBeUndefined()
        yield* TestClock.adjust("6 seconds")
        expect((yield* record(emulator, onSlave)).status).toBe("failed")
        expect((yield* record(emulator, onMaster)).status).toBe("success")

        // reset forgets analyses, queued failures and runtime settings.
        yield* emulator.failNextAnalysis
        yield* emulator.reset
        expect(yield* emulator.tasks()).toEqual([])
        const afterReset = yield* created(emulator, { node_id: master!.id })
        yield* TestClock.adjust("1 second")
        expect((yield* record(emulator, afterReset)).status).toBe("success")
      }).pipe(onTestClock({ instances: [{ id: "i" }], analysis: { waitingFor: 0, runningFor: "1 second" } })))

    it.live("DCS.4231 while an analysis waits or runs on the node; allowed again once it ended or was deleted", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const [master, slave] = yield* emulator.nodes()
        const first = yield* created(emulator, { node_id: master!.id })
        const busy = yield* create(emulator, { node_id: master!.id })
        expectError(busy, 400, "DCS.4231")
        expect(busy.json.error_msg).toBe("An offline key analysis task is already running.")
        // Another node is free.
        const other = yield* created(emulator, { node_id: slave!.id })
        yield* TestClock.adjust("2 seconds")
        expect((yield* record(emulator, first)).status).toBe("running")
        expectError(yield* create(emulator, { node_id: master!.id, backup_id: "b" }), 400, "DCS.4231")
        // A refused create leaves no task behind (12 seeded, 2 created).
        expect((yield* call(emulator)).json.total).toBe(14)
        yield* TestClock.adjust("8 seconds")
        expect((yield* record(emulator, first)).status).toBe("success")
        yield* created(emulator, { node_id: master!.id })
        // A failed analysis frees the node too; so does deleting a running one.
        yield* emulator.failNextAnalysis
        expect((yield* record(emulator, other)).status).toBe("success")
        const doomed = yield* created(emulator, { node_id: slave!.id })
        yield* TestClock.adjust("3 seconds")
        expect((yield* record(emulator, doomed)).status).toBe("running")
        expect((yield* call(emulator, { method: "DELETE", path: taskPath(emulator, doomed) })).status).toBe(200)
        yield* created(emulator, { node_id: slave!.id })
        // Tasks given as data never block: the seeded running task is on some node.
        expect((yield* call(emulator, { params: { status: "running" } })).json.total).toBeGreaterThan(0)
      }).pipe(onTestClock({ instances: [{ id: "i", tasks: DcsEmulator.generateTasks(12, { seed: 5 }) }] })))

    it.live("create validates its body: DCS.4961, unknown node DCS.3053; backup_id makes an old_backup analysis", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const [master, slave] = yield* emulator.nodes()
        const invalid: ReadonlyArray<readonly [unknown, string]> = [
          ["", "Invalid request body: a JSON object with node_id is expected."],
          ["not json", "Invalid request body: a JSON object with node_id is expected."],
          ["[]", "Invalid request body: a JSON object with node_id is expected."],
          ["null", "Invalid request body: a JSON object with node_id is expected."],
          [{}, "Invalid parameter: node_id"],
          [{ node_id: "" }, "Invalid parameter: node_id"],
          [{ node_id: 7 }, "Invalid parameter: node_id"],
          [{ node_id: master!.id, backup_id: 7 }, "Invalid parameter: backup_id"]
        ]
        for (const [body, message] of invalid) {
          const answer = yield* create(emulator, body)
          expectError(answer, 400, "DCS.4961")
          expect(answer.json.error_msg).toBe(message)
        }
        // Without any body at all.
        expectError(yield* call(emulator, { method: "POST" }), 400, "DCS.4961")
        const unknown = yield* create(emulator, { node_id: "not-a-node" })
        expectError(unknown, 400, "DCS.3053")
        expect(unknown.json.error_msg).toBe("Incorrect node ID.")
        // A node of another instance is not a node of this one.
        const [elsewhere] = yield* emulator.nodes("redis-3")
        expectError(yield* create(emulator, { node_id: elsewhere!.id }), 400, "DCS.3053")
        expect((yield* call(emulator)).json.total).toBe(0)

        const old = yield* created(emulator, { node_id: master!.id, backup_id: "b-42", extra: "ignored" })
        expect((yield* show(emulator, old)).json).toMatchObject({ analysis_type: "old_backup", backup_id: "b-42" })
        const fresh = yield* created(emulator, { node_id: slave!.id, backup_id: null })
        const freshShown = yield* show(emulator, fresh)
        expect(freshShown.json.analysis_type).toBe("new_backup")
        expect("backup_id" in freshShown.json).toBe(false)

        // The instance's checks come first, for every operation.
        for (
          const [method, path] of [
            ["POST", listPath(emulator, "redis-3")],
            ["GET", taskPath(emulator, old, "redis-3")],
            ["DELETE", taskPath(emulator, old, "redis-3")],
            ["GET", nodesPath(emulator, old, "redis-3")]
          ] as const
        ) {
          expectError(yield* call(emulator, { method, path, body: { node_id: elsewhere!.id } }), 400, "DCS.4230")
          expectError(
            yield* call(emulator, { method, path: path.replace("redis-3", "nope"), body: { node_id: master!.id } }),
            404,
            "DCS.4401"
          )
        }
      }).pipe(onTestClock({ instances: [{ id: "i" }, { id: "redis-3", supportsKeyAnalysis: false }] })))

    it.live("DCS.4232 for unknown and deleted tasks on show, delete and nodes; delete removes from the list", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const [master] = yield* emulator.nodes()
        for (const taskId of ["858ee14c-2271-4489-8b82-7bda7459ae3e", "no such task"]) {
          for (
            const [method, path] of [
              ["GET", taskPath(emulator, taskId)],
              ["DELETE", taskPath(emulator, taskId)],
              ["GET", nodesPath(emulator, taskId)]
            ] as const
          ) {
            const answer = yield* call(emulator, { method, path })
            expectError(answer, 400, "DCS.4232")
            expect(answer.json.error_msg).toBe("The offline key analysis task does not exist or has been deleted.")
          }
        }

        // A waiting analysis can be deleted.
        const waiting = yield* created(emulator, { node_id: master!.id })
        const deleted = yield* call(emulator, { method: "DELETE", path: taskPath(emulator, waiting) })
        expect(deleted.status).toBe(200)
        expect(deleted.json).toEqual({ task_id: waiting })
        expect((yield* call(emulator)).json.total).toBe(tasks25.length)
        expect((yield* emulator.tasks()).some((task) => task.id === waiting)).toBe(false)
        for (const path of [taskPath(emulator, waiting), nodesPath(emulator, waiting)]) {
          expectError(yield* call(emulator, { path }), 400, "DCS.4232")
        }
        expectError(yield* call(emulator, { method: "DELETE", path: taskPath(emulator, waiting) }), 400, "DCS.4232")

        // So can a seeded one; the others stay in order.
        const seeded = tasks25[3]!
        expect((yield* call(emulator, { method: "DELETE", path: taskPath(emulator, seeded.id) })).json).toEqual({
          task_id: seeded.id
        })
        expect(yield* emulator.tasks()).toEqual(tasks25.filter((task) => task.id !== seeded.id))
        expect((yield* call(emulator, { params: { limit: "100" } })).json.total).toBe(tasks25.length - 1)
      }).pipe(onTestClock({ instances: [{ id: "i", tasks: tasks25 }] })))

    it.live("DELETE without a body: nothing sent, the signature verified; a body sent anyway is ignored", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const [master, slave] = yield* emulator.nodes()
        const first = yield* created(emulator, { node_id: master!.id })
        const second = yield* created(emulator, { node_id: slave!.id })
        yield* emulator.clearRequests
        expect((yield* call(emulator, { method: "DELETE", path: taskPath(emulator, first) })).status).toBe(200)
        const [recorded] = yield* emulator.requests
        expect(recorded).toMatchObject({ method: "DELETE", path: taskPath(emulator, first), status: 200 })
        expect(recorded!.headers["content-type"]).toBeUndefined()
        expect(recorded!.headers["content-length"] ?? "0").toBe("0")
        expect(recorded!.headers["authorization"]).toMatch(/SignedHeaders=host;x-project-id;x-sdk-date,/)

        // Signed for one task, sent for another: the gateway refuses it.
        const tampered = yield* call(emulator, {
          method: "DELETE",
          path: taskPath(emulator, second),
          tamper: (request) => HttpClientRequest.setUrl(request, request.url.replace(second, first))
        })
        expectError(tampered, 401, "APIGW.0301")
        expect(tampered.json.error_msg).toContain(`canonicalRequest: DELETE|${taskPath(emulator, first)}/||`)
        // A body that was not signed as sent is refused too.
        const unsignedBody = yield* call(emulator, {
          method: "DELETE",
          path: taskPath(emulator, second),
          tamper: (request) => HttpClientRequest.bodyText(request, "{}", "application/json")
        })
        expectError(unsignedBody, 401, "APIGW.0301")

        // An (empty JSON) body that is signed is accepted and ignored.
        const withBody = yield* call(emulator, { method: "DELETE", path: taskPath(emulator, second), body: {} })
        expect(withBody.status).toBe(200)
        expect(withBody.json).toEqual({ task_id: second })
        expect((yield* call(emulator)).json.total).toBe(0)
      }).pipe(onTestClock({ instances: [{ id: "i" }] })))

    it.live("nodes: the node the task analysed; default and given nodes", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const defaults = yield* emulator.nodes()
        expect(defaults).toHaveLength(2)
        expect(defaults.map((node) => [node.name, node.groupName, node.role])).toEqual([
          ["redis-5f90-0001", "group-0", "master"],
          ["redis-5f90-0002", "group-0", "slave"]
        ])
        for (const node of defaults) {
          expect(node.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
          expect(node.ip).toMatch(/^192\.168\.\d+\.\d+$/)
          expect(node.ipv6).toMatch(/^2001:db8:/)
        }
        expect(defaults[0]!.id).not.toBe(defaults[1]!.id)
        // Derived from the instance id: the same on every start.
        const again = yield* DcsEmulator.make({ instances: [{ id: DcsEmulator.defaultInstanceId }] }).pipe(
          Effect.flatMap((other) => other.nodes()),
          Effect.scoped
        )
        expect(again).toEqual(defaults)

        const taskId = yield* created(emulator, { node_id: defaults[1]!.id })
        const nodes = yield* call(emulator, { path: nodesPath(emulator, taskId) })
        expect(nodes.status).toBe(200)
        expect(nodes.json).toEqual({
          nodes: [{ id: defaults[1]!.id, name: "redis-5f90-0002", group_name: "group-0", node_ipv6: defaults[1]!.ipv6 }]
        })

        const given = yield* emulator.nodes("cluster")
        const shared = { status: "Active", azCode: "ap-southeast-1a", port: 6379, report: undefined }
        expect(given).toEqual([
          {
            id: "n-1",
            name: "shard-a",
            groupName: "group-1",
            ip: "10.0.0.5",
            ipv6: "fd00::5",
            role: "slave",
            logicalNodeId: given[0]!.logicalNodeId,
            groupId: given[0]!.groupId,
            ...shared
          },
          {
            id: "n-2",
            name: "redis-clus-0002",
            groupName: "group-0",
            ip: given[1]!.ip,
            ipv6: "",
            role: "slave",
            logicalNodeId: given[1]!.logicalNodeId,
            groupId: given[1]!.groupId,
            ...shared
          }
        ])
        for (const node of given) expect(node.logicalNodeId).toMatch(/^[0-9a-f]{32}$/)
        // A shard's id is derived from the instance and the group: another group, another id.
        expect(given[0]!.groupId).not.toBe(given[1]!.groupId)
        const onCluster = yield* created(emulator, { node_id: "n-1" }, "cluster")
        expect((yield* call(emulator, { path: nodesPath(emulator, onCluster, "cluster") })).json).toEqual({
          nodes: [{ id: "n-1", name: "shard-a", group_name: "group-1", node_ipv6: "fd00::5" }]
        })
        expect((yield* call(emulator, { path: taskPath(emulator, onCluster, "cluster") })).json).toMatchObject({
          instance_id: "cluster",
          node_id: "n-1",
          group_name: "group-1",
          node_ip: "10.0.0.5",
          node_ipv6: "fd00::5",
          node_type: "slave"
        })
        // Node ids are unique within an instance.
        const duplicate = yield* Effect.exit(emulator.putInstance({ id: "bad", nodes: [{ id: "x" }, { id: "x" }] }))
        expect(Exit.isFailure(duplicate)).toBe(true)
      }).pipe(onTestClock({
        instances: [
          { id: DcsEmulator.defaultInstanceId },
          {
            id: "cluster",
            nodes: [
              { id: "n-1", name: "shard-a", groupName: "group-1", ip: "10.0.0.5", ipv6: "fd00::5", role: "slave" },
              { id: "n-2", role: "slave" }
            ]
          }
        ]
      })))

    it.live("seeded tasks are showable: a report for those that succeeded, at their finish time", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const nodes = yield* emulator.nodes()
        const tasks = yield* emulator.tasks()
        const statuses = new Set<string>()
        for (const task of tasks) {
          statuses.add(task.status)
          const answer = yield* show(emulator, task.id)
          expect(answer.status).toBe(200)
          const node = nodes.find((candidate) => candidate.id === answer.json.node_id)
          expect(node).toBeDefined()
          expect(answer.json).toMatchObject({
            id: task.id,
            instance_id: emulator.instanceId,
            group_name: node!.groupName,
            node_ip: node!.ip,
            node_type: node!.role
          })
          expect(["new_backup", "old_backup"]).toContain(answer.json.analysis_type)
          // The times have the shape of the list's record.
          for (const field of ["started_at", "finished_at"] as const) {
            expect(field in answer.json).toBe(field in task)
            if (field in task) expect(answer.json[field]).toEqual(task[field])
          }
          if (task.status === "success") {
            expect(answer.json).toMatchObject(DcsEmulator.reportAt(emulator.instanceId, Date.parse(task.finished_at!)))
          } else {
            for (const field of reportFields) expect(field in answer.json).toBe(false)
          }
          const shown = yield* call(emulator, { path: nodesPath(emulator, task.id) })
          expect(shown.json.nodes).toEqual([{
            id: node!.id,
            name: node!.name,
            group_name: node!.groupName,
            node_ipv6: node!.ipv6
          }])
          // Deterministic.
          expect((yield* show(emulator, task.id)).json).toEqual(answer.json)
        }
        expect([...statuses].sort()).toEqual(["failed", "running", "success", "waiting"])
      }).pipe(withEmulator({
        instances: [{ id: DcsEmulator.defaultInstanceId, tasks: DcsEmulator.generateTasks(20, { seed: 2 }) }]
      })))

    it("reports are realistic: sorted, consistent per type, with counters past 2^31", () => {
      const types = ["string", "list", "set", "zset", "hash"]
      const sum = (values: ReadonlyArray<number>) => values.reduce((total, value) => total + value, 0)
      const ids = DcsEmulator.generateTasks(60, { seed: 11 }).map((task) => task.id)
      // Reports generated from task ids, and an instance's reports over two months.
      const day = 24 * 60 * 60 * 1000
      const generated = ids.map((id) => [id, () => DcsEmulator.generateReport(id)] as const)
      const evolving = Array.from(
        { length: 60 },
        (_, i) => [undefined, () => DcsEmulator.reportAt(`instance-${i % 3}`, Date.UTC(2024, 9, 1) + i * day)] as const
      )
      for (const [id, make] of [...generated, ...evolving]) {
        const report = make()
        expect(make()).toEqual(report)
        const counters = [
          report.total_bytes,
          report.total_num,
          ...report.largest_keys.flatMap((key) => [key.bytes, key.num_of_elem]),
          ...report.largest_key_prefixes.flatMap((prefix) => [prefix.bytes, prefix.num]),
          ...report.type_bytes.map((entry) => entry.bytes),
          ...report.type_num.map((entry) => entry.num)
        ]
        for (const counter of counters) {
          expect(Number.isSafeInteger(counter)).toBe(true)
          expect(counter).toBeGreaterThan(0)
        }
        expect(report.total_bytes).toBeGreaterThan(2 ** 31)

        // The 20 biggest keys, biggest first, each under a listed prefix of its type.
        expect(report.largest_keys).toHaveLength(20)
        const bytes = report.largest_keys.map((key) => key.bytes)
        expect(bytes).toEqual([...bytes].sort((a, b) => b - a))
        expect(new Set(report.largest_keys.map((key) => key.key)).size).toBe(20)
        for (const key of report.largest_keys) {
          expect(types).toContain(key.type)
          if (key.type === "string") {
            expect(key.num_of_elem).toBe(1)
          }
          if (key.type === "string" && id !== undefined) {
            expect(key.bytes).toBeGreaterThanOrEqual(1024 * 1024)
            expect(key.bytes).toBeLessThanOrEqual(40 * 1024 * 1024)
          }
          expect(
            report.largest_key_prefixes.some((prefix) =>
              prefix.type === key.type && key.key.startsWith(prefix.key_prefix)
            )
          ).toBe(true)
        }

        // Per type: prefixes grouped in type order, most keys first; everything fits the totals.
        expect(report.type_bytes.map((entry) => entry.type)).toEqual(types)
        expect(report.type_num.map((entry) => entry.type)).toEqual(types)
        expect(sum(report.type_bytes.map((entry) => entry.bytes))).toBe(report.total_bytes)
        expect(sum(report.type_num.map((entry) => entry.num))).toBe(report.total_num)
        const prefixTypes = report.largest_key_prefixes.map((prefix) => types.indexOf(prefix.type))
        expect(prefixTypes).toEqual([...prefixTypes].sort((a, b) => a - b))
        for (const [index, type] of types.entries()) {
          const prefixes = report.largest_key_prefixes.filter((prefix) => prefix.type === type)
          expect(prefixes.length).toBeGreaterThan(0)
          const nums = prefixes.map((prefix) => prefix.num)
          expect(nums).toEqual([...nums].sort((a, b) => b - a))
          expect(sum(nums)).toBeLessThanOrEqual(report.type_num[index]!.num)
          expect(sum(prefixes.map((prefix) => prefix.bytes))).toBeLessThanOrEqual(report.type_bytes[index]!.bytes)
          const keys = report.largest_keys.filter((key) => key.type === type)
          expect(sum(keys.map((key) => key.bytes))).toBeLessThanOrEqual(report.type_bytes[index]!.bytes)
          for (const prefix of prefixes) {
            const under = keys.filter((key) => key.key.startsWith(prefix.key_prefix))
            expect(under.length).toBeLessThanOrEqual(prefix.num)
            expect(sum(under.map((key) => key.bytes))).toBeLessThanOrEqual(prefix.bytes)
          }
        }
      }
      // Different tasks, different reports; the kinds of keys the brief of a web back end has.
      const all = ids.map((id) => DcsEmulator.generateReport(id))
      expect(new Set(all.map((report) => report.total_bytes)).size).toBe(ids.length)
      const names = all.flatMap((report) => report.largest_keys.map((key) => key.key))
      for (const pattern of [/^session:user:\d{5}$/, /^queue:orders$/, /^leaderboard:2024$/, /^cart:[0-9a-f]{8}$/]) {
        expect(names.some((name) => pattern.test(name))).toBe(true)
      }
      expect(all.some((report) => report.largest_keys.some((key) => key.num_of_elem >= 1_000_000))).toBe(true)
    })

    it("an instance's reports evolve: the same prefixes, growth over hours, new big keys over days", () => {
      const hour = 60 * 60 * 1000
      const start = Date.UTC(2024, 9, 1)
      const prefixesOf = (report: DcsEmulator.KeyAnalysisReport) =>
        new Map(report.largest_key_prefixes.map((prefix) => [`${prefix.type} ${prefix.key_prefix}`, prefix]))
      let grew = 0
      let newKeys = 0
      let steps = 0
      for (let t = start; t < start + 60 * 24 * hour; t += 6 * hour) {
        const before = DcsEmulator.reportAt("i", t)
        const after = DcsEmulator.reportAt("i", t + 6 * hour)
        const [a, b] = [prefixesOf(before), prefixesOf(after)]
        expect([...b.keys()].sort()).toEqual([...a.keys()].sort())
        steps++
        if (after.total_bytes > before.total_bytes) grew++
        const old = new Set(before.largest_keys.map((key) => key.key))
        if (after.largest_keys.some((key) => !old.has(key.key))) newKeys++
      }
      // Mostly growth (a prefix's clean-up now and then shrinks it), and new big keys now and then.
      expect(grew / steps).toBeGreaterThan(0.8)
      expect(newKeys).toBeGreaterThan(5)
      // Another instance, other data.
      expect(DcsEmulator.reportAt("j", start).total_bytes).not.toBe(DcsEmulator.reportAt("i", start).total_bytes)
    })
  })
})
