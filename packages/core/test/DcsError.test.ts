import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Schedule, Schema } from "effect"
import { DcsClient, DcsClientTest, DcsError } from "../src/index.js"
import { oneOfEach } from "./utils/errors.js"
import { json, testServer } from "./utils/server.js"
import { docExample } from "./utils/wire.js"

// The errors derive from one list (`DcsError.statusErrors`); these tests hold the list to what
// the gateway and the service send, through the live layer on a loopback server and through
// layerTest.

const PROJECT = "proj-0123"

const live = (endpoint: string, retry: Schedule.Schedule<unknown, DcsError.DcsError> = Schedule.stop) =>
  Layer.provide(DcsClient.layer({ endpoint, projectId: PROJECT, retry }), NodeHttpClient.layerUndici)

const throttled = { error_code: "APIGW.0308", error_msg: "The throttling threshold has been reached: policy user" }

describe("DcsTooManyRequests (429)", () => {
  it.scopedLive("a 429 answered once is retried and the call succeeds", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res, i) =>
        i === 0 ? json(res, 429, throttled, { "x-request-id": "req-throttled" }) : json(res, 200, docExample)
      )
      const page = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "inst" }).pipe(
        Effect.provide(live(server.endpoint, Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(3)))))
      )
      expect(page.records.length).toBeGreaterThan(0)
      expect(server.seen).toHaveLength(2)
    }))

  it.scopedLive("with retries off it fails with DcsTooManyRequests: 429, APIGW.0308, Retry-After and the request id", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res) =>
        json(res, 429, throttled, { "x-request-id": "req-429", "retry-after": "3" })
      )
      const error = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "inst" }).pipe(
        Effect.flip,
        Effect.provide(live(server.endpoint))
      )
      expect(error._tag).toBe("DcsTooManyRequests")
      if (error._tag !== "DcsTooManyRequests") return
      expect(error).toBeInstanceOf(DcsError.DcsTooManyRequests)
      expect(error.status).toBe(429)
      expect(error.errorCode).toBe("APIGW.0308")
      expect(error.requestId).toBe("req-429")
      expect(error.retryAfterMillis).toBe(3000)
      expect(error.instanceId).toBe("inst")
      expect(error.message).toContain("APIGW.0308")
      expect(error.message).toContain("req-429")
      expect(DcsError.isStatusError(error)).toBe(true)
      expect(DcsError.isTransient(error)).toBe(true)
      expect(server.seen).toHaveLength(1)
    }))

  it.scopedLive("create is retried on 429 (nothing was created) and answers the task id", () =>
    Effect.gen(function*() {
      const server = yield* testServer((_, res, i) =>
        i === 0 ? json(res, 429, throttled) : json(res, 200, { task_id: "task-1" })
      )
      const taskId = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: "inst", nodeId: "node-1" }).pipe(
        Effect.provide(live(server.endpoint, Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(2)))))
      )
      expect(taskId).toBe("task-1")
      expect(server.seen.map((request) => request.method)).toEqual(["POST", "POST"])
    }))
})

describe("DcsNotSupported (DCS.4230)", () => {
  it.scopedLive("DCS.4230 is DcsNotSupported whatever the status, through the live layer", () =>
    Effect.gen(function*() {
      const statuses = [400, 403, 500]
      const server = yield* testServer((_, res, i) =>
        json(res, statuses[i]!, { error_code: "DCS.4230", error_msg: "Does not support offline key analysis." }, {
          "x-request-id": `req-${i}`
        })
      )
      const errors = yield* Effect.forEach(
        statuses,
        () => DcsClient.createOfflineKeyAnalysis({ instanceId: "redis-3", nodeId: "n" }).pipe(Effect.flip)
      ).pipe(
        Effect.provide(live(server.endpoint))
      )
      errors.forEach((error, i) => {
        expect(error).toBeInstanceOf(DcsError.DcsNotSupported)
        if (error._tag !== "DcsNotSupported") return
        expect(error.status).toBe(statuses[i])
        expect(error.requestId).toBe(`req-${i}`)
        expect(error.instanceId).toBe("redis-3")
        expect(DcsError.isTransient(error)).toBe(false)
      })
      // Not transient: one request each, even at status 500.
      expect(server.seen).toHaveLength(3)
    }))

  it.effect("layerTest answers DcsNotSupported for an instance marked unsupported", () =>
    Effect.gen(function*() {
      const error = yield* DcsClient.analyzeKeys({ instanceId: "memcached-1", nodeId: "n" }).pipe(Effect.flip)
      expect(error._tag).toBe("DcsNotSupported")
      expect(error.message).toContain("DCS.4230")
      const taskId = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: "redis-6", nodeId: "n" })
      expect(taskId).toBe("test-task-1")
    }).pipe(Effect.provide(DcsClientTest.layer({ tasks: [], unsupported: ["memcached-1"] }))))
})

describe("errors from one list", () => {
  it("fromResponse: an error code selects first, then the status, else DcsUnexpectedStatus", () => {
    const make = (status: number, errorCode: string) =>
      DcsError.fromResponse({ status, errorCode, errorMsg: "m", body: "b" })._tag
    expect(make(400, "DCS.4231")).toBe("DcsAnalysisAlreadyRunning")
    expect(make(404, "DCS.4232")).toBe("DcsTaskNotFound")
    expect(make(500, "DCS.4230")).toBe("DcsNotSupported")
    expect(make(429, "")).toBe("DcsTooManyRequests")
    expect(make(404, "DCS.4401")).toBe("DcsNotFound")
    expect(make(503, "")).toBe("DcsUnexpectedStatus")
    for (const entry of DcsError.statusErrors) {
      const error = "errorCode" in entry
        ? DcsError.fromResponse({ status: 418, errorCode: entry.errorCode, errorMsg: "m", body: "" })
        : DcsError.fromResponse({ status: entry.status, errorCode: "X.1", errorMsg: "m", body: "" })
      expect(error).toBeInstanceOf(entry.error)
    }
  })

  it("every status error of the list is in the schema, the predicate and withOffset", () => {
    const encodeDecode = Schema.decodeUnknownSync(DcsError.DcsError)
    for (const error of oneOfEach) {
      const copy = DcsError.withOffset(error, 42)
      expect(copy._tag).toBe(error._tag)
      if (error._tag !== "DcsInvalidRequest" && error._tag !== "DcsPaginationError") {
        expect((copy as { offset?: number }).offset).toBe(42)
        expect(copy.message).toContain("at offset 42")
      }
      const roundTrip = encodeDecode(Schema.encodeSync(DcsError.DcsError)(error))
      expect(roundTrip._tag).toBe(error._tag)
    }
    const tags = new Set(oneOfEach.filter(DcsError.isStatusError).map((error) => error._tag))
    for (const entry of DcsError.statusErrors) expect(tags.has(entry.error._tag)).toBe(true)
  })

  it.effect("a 404 names the id that was asked for", () =>
    Effect.gen(function*() {
      const error = yield* DcsClient.showOfflineKeyAnalysisTask({ instanceId: "nope", taskId: "t-1" }).pipe(Effect.flip)
      expect(error._tag).toBe("DcsNotFound")
      expect(error.message).toContain(`instance "nope"`)
      expect(error.message).toContain(`task "t-1"`)
    }).pipe(Effect.provide(DcsClientTest.layer({ instances: {} }))))

  it.effect("an id with surrounding whitespace is rejected before sending", () =>
    Effect.gen(function*() {
      const error = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: " inst-1\n" }).pipe(Effect.flip)
      expect(error._tag).toBe("DcsInvalidRequest")
      expect(error.message).toContain("whitespace")
      const test = yield* DcsClientTest.TestClient
      expect(yield* test.calls).toEqual([])
    }).pipe(Effect.provide(DcsClientTest.layer({ tasks: [] }))))
})
