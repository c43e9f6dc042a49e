/**
 * The whole offline key analysis resource through the real stack: `NodeDcsClient.layer` (undici,
 * AK/SK signing) against a `DcsEmulator` on loopback. What each operation puts on the wire, how
 * its answer decodes, the typed errors (DCS.4231, DCS.4232) and their retries, the waiter under
 * the TestClock (which the emulator's state machine shares), and `analyzeKeys` end to end.
 *
 * Every test provides its own layers (`Effect.provide`): see the note at the top of
 * DcsEmulator.test.ts on @effect/vitest 0.30's `layer(...)`.
 */
import { DcsClient } from "@effect-dcs/core"
import type { OfflineKeyAnalysisReport } from "@effect-dcs/core/OfflineKeyAnalysis"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Clock, DateTime, Duration, Effect, Fiber, Layer, Option, Schedule, type Scope, TestClock } from "effect"
import { createServer, type IncomingHttpHeaders, request as httpRequest } from "node:http"
import type { AddressInfo } from "node:net"
import * as DcsEmulator from "../src/DcsEmulator.js"
import { realTick } from "./support/common.js"
import { clientLayer } from "./support/harness.js"

type Emulator = DcsEmulator.DcsEmulator["Type"]

const INSTANCE = "3d1c0b5a-6f0e-4b8e-9a55-2f1b0c9d8e7f"
const UNSUPPORTED = "memcached-0001"
const T0 = Date.parse("2024-10-15T02:21:18Z")

const emulatorLayer = (analysis: Partial<DcsEmulator.AnalysisSettings> = {}) =>
  DcsEmulator.layer({
    instances: [{ id: INSTANCE, tasks: [] }, { id: UNSUPPORTED, supportsKeyAnalysis: false }],
    analysis
  })

const withEmulator = (analysis: Partial<DcsEmulator.AnalysisSettings> = {}) =>
  Layer.provideMerge(clientLayer(), emulatorLayer(analysis))

const resourcePath = (emulator: Emulator, instanceId = INSTANCE) =>
  `/v2/${emulator.projectId}/instances/${instanceId}/offline/key-analysis`

const signedWith = (emulator: Emulator, signedHeaders: string) =>
  new RegExp(
    `^SDK-HMAC-SHA256 Access=${emulator.credentials.accessKeyId}, SignedHeaders=${signedHeaders}, Signature=`
  )

// ---------------------------------------------------------------------------------------------
// A recording proxy: the emulator records headers, not bodies. This forwards every request to the
// emulator as it came (Host included, so the signature still verifies) and keeps its exact body.
// ---------------------------------------------------------------------------------------------

interface WireRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

interface RecordingProxy {
  readonly url: string
  readonly requests: ReadonlyArray<WireRequest>
}

const recordingProxy = (target: string): Effect.Effect<RecordingProxy, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ readonly close: () => Promise<void>; readonly proxy: RecordingProxy }>((resume) => {
      const requests: Array<WireRequest> = []
      const upstream = new URL(target)
      const server = createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (chunk: Buffer) => chunks.push(chunk))
        req.on("end", () => {
          const body = Buffer.concat(chunks)
          requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: body.toString() })
          const forward = httpRequest({
            host: upstream.hostname,
            port: upstream.port,
            method: req.method,
            path: req.url,
            headers: req.headers
          }, (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers)
            answer.pipe(res)
          })
          forward.on("error", () => res.destroy())
          forward.end(body)
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo
        resume(Effect.succeed({
          proxy: { url: `http://127.0.0.1:${port}`, requests },
          close: () =>
            new Promise<void>((done) => {
              server.closeAllConnections()
              server.close(() => done())
            })
        }))
      })
    }),
    ({ close }) => Effect.promise(close)
  ).pipe(Effect.map(({ proxy }) => proxy))

// ---------------------------------------------------------------------------------------------
// The TestClock and real I/O: move the clock only to a time some fiber sleeps until, and only once
// the fiber is asleep (real I/O runs in between, on real time).
// ---------------------------------------------------------------------------------------------

/** Runs the fiber to its end, moving the TestClock to each wake-up within `withinMillis` of now. */
const drive = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, withinMillis: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < 10_000; i++) {
      if (Option.isSome(yield* Fiber.poll(fiber))) return yield* Fiber.join(fiber)
      const now = yield* Clock.currentTimeMillis
      const wakeUps = Chunk.toReadonlyArray(yield* TestClock.sleeps()).filter(
        (at) => at > now && at <= now + withinMillis
      )
      if (wakeUps.length > 0) yield* TestClock.adjust(Math.min(...wakeUps) - now)
      else yield* realTick
    }
    return yield* Effect.dieMessage("the fiber did not finish")
  })

const millisOf = (time: Option.Option<DateTime.Utc>) => Option.getOrUndefined(Option.map(time, DateTime.toEpochMillis))

/** The report's fields back in wire form, to compare with `DcsEmulator.generateReport`. */
const reportFields = (report: OfflineKeyAnalysisReport) => ({
  total_bytes: Option.getOrUndefined(report.totalBytes),
  total_num: Option.getOrUndefined(report.totalNum),
  largest_key_prefixes: report.largestKeyPrefixes.map((p) => ({
    key_prefix: p.keyPrefix,
    type: p.type,
    bytes: p.bytes,
    num: p.num
  })),
  largest_keys: report.largestKeys.map((k) => ({
    key: k.key,
    type: k.type,
    bytes: k.bytes,
    num_of_elem: Option.getOrUndefined(k.numOfElem)
  })),
  type_bytes: report.typeBytes.map((t) => ({ type: t.type, bytes: t.bytes })),
  type_num: report.typeNum.map((t) => ({ type: t.type, num: t.num }))
})

describe("the resource on the wire", () => {
  it.live("create, list, show, nodes and delete: method, path, body or none, signed; decoded answers", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const proxy = yield* recordingProxy(emulator.url)
      const [master, slave] = yield* emulator.nodes(INSTANCE)
      const base = resourcePath(emulator)

      const program = Effect.gen(function*() {
        const taskId = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: INSTANCE, nodeId: master!.id })
        const withBackup = yield* DcsClient.createOfflineKeyAnalysis({
          instanceId: INSTANCE,
          nodeId: slave!.id,
          backupId: "backup-20241015"
        })
        const record = yield* DcsClient.waitForOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId })
        const report = yield* DcsClient.showOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId })
        const oldBackup = yield* DcsClient.showOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId: withBackup })
        const nodes = yield* DcsClient.listOfflineKeyAnalysisNodes({ instanceId: INSTANCE, taskId })
        const deleted = yield* DcsClient.deleteOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId })
        return { taskId, withBackup, record, report, oldBackup, nodes, deleted }
      })
      const { deleted, nodes, oldBackup, record, report, taskId, withBackup } = yield* program.pipe(
        Effect.provide(clientLayer({ endpoint: proxy.url, retry: Schedule.stop }))
      )

      // The answers, decoded.
      expect(taskId).toMatch(/^[0-9a-f-]{36}$/)
      expect(record.id).toBe(taskId)
      expect(record.status).toBe("success")
      expect(Option.getOrUndefined(report.id)).toBe(taskId)
      expect(Option.getOrUndefined(report.instanceId)).toBe(INSTANCE)
      expect(Option.getOrUndefined(report.nodeId)).toBe(master!.id)
      expect(Option.getOrUndefined(report.groupName)).toBe(master!.groupName)
      expect(Option.getOrUndefined(report.nodeIp)).toBe(master!.ip)
      expect(Option.getOrUndefined(report.nodeType)).toBe("master")
      expect(Option.getOrUndefined(report.analysisType)).toBe("new_backup")
      expect(Option.isSome(report.backupId)).toBe(true)
      expect(Option.isSome(report.startedAt) && Option.isSome(report.finishedAt)).toBe(true)
      expect(reportFields(report)).toEqual(
        DcsEmulator.reportAt(INSTANCE, DateTime.toEpochMillis(Option.getOrThrow(record.finishedAt)))
      )
      expect(Option.getOrThrow(report.totalBytes)).toBeGreaterThan(2 ** 31)
      expect(report.largestKeys.length).toBe(20)
      expect(report.largestKeyPrefixes.length).toBeGreaterThan(0)
      expect(report.typeBytes.map((t) => t.type)).toEqual(["string", "list", "set", "zset", "hash"])
      expect(Option.getOrUndefined(oldBackup.nodeId)).toBe(slave!.id)
      expect(Option.getOrUndefined(oldBackup.nodeType)).toBe("slave")
      expect(Option.getOrUndefined(oldBackup.backupId)).toBe("backup-20241015")
      expect(Option.getOrUndefined(oldBackup.analysisType)).toBe("old_backup")
      expect(nodes.map((node) => ({
        id: node.id,
        name: Option.getOrUndefined(node.name),
        groupName: Option.getOrUndefined(node.groupName),
        nodeIpv6: Option.getOrUndefined(node.nodeIpv6)
      }))).toEqual([{ id: master!.id, name: master!.name, groupName: master!.groupName, nodeIpv6: master!.ipv6 }])
      expect(deleted).toBeUndefined()
      expect((yield* emulator.tasks(INSTANCE)).map((task) => task.id)).toEqual([withBackup])

      // The requests, as the emulator received them: every one signed and answered 200.
      const received = yield* emulator.requests
      expect(received.map((r) => [r.method, r.path, r.query, r.status])).toEqual([
        ["POST", base, "", 200],
        ["POST", base, "", 200],
        ["GET", base, "offset=0&limit=100", 200],
        ["GET", `${base}/${taskId}`, "", 200],
        ["GET", `${base}/${withBackup}`, "", 200],
        ["GET", `${base}/${taskId}/nodes`, "", 200],
        ["DELETE", `${base}/${taskId}`, "", 200]
      ])
      for (const request of received) {
        expect(request.headers["x-project-id"]).toBe(emulator.projectId)
        expect(request.headers["x-sdk-date"]).toMatch(/^\d{8}T\d{6}Z$/)
        expect(request.headers["accept"]).toBe("application/json")
        expect(request.headers["user-agent"]).toMatch(/^effect-dcs\//)
        if (request.method === "POST") {
          expect(request.headers["content-type"]).toBe("application/json")
          expect(request.headers["authorization"]).toMatch(
            signedWith(emulator, "content-type;host;x-project-id;x-sdk-date")
          )
        } else {
          expect(request.headers["content-type"]).toBeUndefined()
          expect(request.headers["content-length"] ?? "0").toBe("0")
          expect(request.headers["transfer-encoding"]).toBeUndefined()
          expect(request.headers["authorization"]).toMatch(signedWith(emulator, "host;x-project-id;x-sdk-date"))
        }
      }

      // The bodies, byte for byte, as the proxy received them.
      expect(proxy.requests.map((r) => [r.method, r.url, r.body])).toEqual([
        ["POST", base, JSON.stringify({ node_id: master!.id })],
        ["POST", base, JSON.stringify({ node_id: slave!.id, backup_id: "backup-20241015" })],
        ["GET", `${base}?offset=0&limit=100`, ""],
        ["GET", `${base}/${taskId}`, ""],
        ["GET", `${base}/${withBackup}`, ""],
        ["GET", `${base}/${taskId}/nodes`, ""],
        ["DELETE", `${base}/${taskId}`, ""]
      ])
      for (const request of proxy.requests) {
        expect(request.headers["content-length"] ?? "0").toBe(String(Buffer.byteLength(request.body)))
        // No X-Sdk-Content-Sha256: the body's own hash is signed (the empty body's for GET and DELETE).
        expect(request.headers["x-sdk-content-sha256"]).toBeUndefined()
      }
    }).pipe(Effect.scoped, Effect.provide(emulatorLayer({ waitingFor: 0, runningFor: 0 }))))

  it.live("ids are sent as encoded path segments", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const error = yield* DcsClient.showOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId: "a b/c?d#é" }).pipe(
        Effect.flip
      )
      expect(error._tag).toBe("DcsTaskNotFound")
      const [request] = yield* emulator.requests
      expect(request?.path).toBe(`${resourcePath(emulator)}/a%20b%2Fc%3Fd%23%C3%A9`)
      expect(request?.query).toBe("")
    }).pipe(Effect.provide(withEmulator())))

  it.live("show of a task not finished yet: its ids and times, no report", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const [master] = yield* emulator.nodes(INSTANCE)
      const taskId = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: INSTANCE, nodeId: master!.id })
      const report = yield* DcsClient.showOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId })
      expect(Option.getOrUndefined(report.id)).toBe(taskId)
      expect(Option.getOrUndefined(report.nodeId)).toBe(master!.id)
      expect(Option.isSome(report.startedAt)).toBe(true)
      expect(Option.isNone(report.finishedAt)).toBe(true)
      expect(Option.isNone(report.totalBytes)).toBe(true)
      expect(report.largestKeys).toEqual([])
      expect(report.typeNum).toEqual([])
      expect(yield* DcsClient.listOfflineKeyAnalysisNodes({ instanceId: INSTANCE, taskId })).toHaveLength(1)
    }).pipe(Effect.provide(withEmulator({ waitingFor: 0, runningFor: Duration.infinity }))))
})

describe("typed errors and retries", () => {
  it.live("DCS.4231 is a DcsAnalysisAlreadyRunning, and create is not retried on it", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const [master, slave] = yield* emulator.nodes(INSTANCE)
      const running = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: INSTANCE, nodeId: master!.id })
      yield* emulator.clearRequests
      const error = yield* DcsClient.createOfflineKeyAnalysis({
        instanceId: INSTANCE,
        nodeId: master!.id,
        backupId: "b-1",
        retry: Schedule.recurs(5)
      }).pipe(Effect.flip)
      const requests = yield* emulator.requests
      // One POST; then the client finds the running task (the list, then the candidate's report).
      expect(requests.filter((r) => r.method === "POST").map((r) => [r.method, r.status, r.errorCode])).toEqual([
        ["POST", 400, "DCS.4231"]
      ])
      expect(requests.slice(1).every((r) => r.method === "GET" && r.status === 200)).toBe(true)
      expect(error._tag).toBe("DcsAnalysisAlreadyRunning")
      expect(error).toMatchObject({
        status: 400,
        errorCode: "DCS.4231",
        requestId: requests[0]!.requestId,
        runningTaskId: running
      })
      expect(error._tag === "DcsAnalysisAlreadyRunning" && error.errorMsg.length).toBeGreaterThan(0)
      expect(error.message).toContain("DCS.4231")
      expect(error.message).toContain(requests[0]!.requestId)
      // Another node of the instance is free.
      yield* DcsClient.createOfflineKeyAnalysis({ instanceId: INSTANCE, nodeId: slave!.id })
      expect((yield* emulator.tasks(INSTANCE)).map((task) => task.status)).toEqual(["running", "running"])
    }).pipe(Effect.provide(withEmulator({ waitingFor: 0, runningFor: Duration.infinity }))))

  it.live("a 429 on create is retried (nothing was created); one task results", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const [master] = yield* emulator.nodes(INSTANCE)
      yield* emulator.injectFaults({ _tag: "Status", status: 429, match: (request) => request.method === "POST" })
      const taskId = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: INSTANCE, nodeId: master!.id })
      const requests = yield* emulator.requests
      expect(requests.map((r) => [r.method, r.status])).toEqual([["POST", 429], ["POST", 200]])
      // Each attempt is signed on its own.
      expect(requests.every((r) => r.headers["authorization"]?.startsWith("SDK-HMAC-SHA256 "))).toBe(true)
      expect((yield* emulator.tasks(INSTANCE)).map((task) => task.id)).toEqual([taskId])
    }).pipe(Effect.provide(withEmulator())))

  it.live("a 503 on create is not retried (it may have been created); a 503 on show is", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const [master] = yield* emulator.nodes(INSTANCE)
      yield* emulator.injectFaults({ _tag: "Status", status: 503, match: (request) => request.method === "POST" })
      const error = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: INSTANCE, nodeId: master!.id }).pipe(
        Effect.flip
      )
      expect(error).toMatchObject({ _tag: "DcsUnexpectedStatus", status: 503 })
      expect((yield* emulator.requests).map((r) => [r.method, r.status])).toEqual([["POST", 503]])

      const taskId = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: INSTANCE, nodeId: master!.id })
      yield* emulator.clearRequests
      yield* emulator.injectFaults({ _tag: "Status", status: 503, match: (request) => request.method === "GET" })
      yield* DcsClient.showOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId })
      expect((yield* emulator.requests).map((r) => [r.method, r.status])).toEqual([["GET", 503], ["GET", 200]])
    }).pipe(Effect.provide(withEmulator())))

  it.live("DCS.4232 is a DcsTaskNotFound on show, delete and nodes, for an unknown or deleted task; not retried", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const [master] = yield* emulator.nodes(INSTANCE)
      const taskId = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: INSTANCE, nodeId: master!.id })
      yield* DcsClient.deleteOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId })
      for (const id of ["00000000-0000-0000-0000-000000000000", taskId]) {
        yield* emulator.clearRequests
        const request = { instanceId: INSTANCE, taskId: id }
        const errors = [
          yield* Effect.flip(DcsClient.showOfflineKeyAnalysisTask(request)),
          yield* Effect.flip(DcsClient.deleteOfflineKeyAnalysisTask(request)),
          yield* Effect.flip(DcsClient.listOfflineKeyAnalysisNodes(request))
        ]
        const requests = yield* emulator.requests
        expect(requests.map((r) => [r.method, r.status, r.errorCode])).toEqual([
          ["GET", 400, "DCS.4232"],
          ["DELETE", 400, "DCS.4232"],
          ["GET", 400, "DCS.4232"]
        ])
        errors.forEach((error, i) => {
          expect(error._tag).toBe("DcsTaskNotFound")
          expect(error).toMatchObject({ status: 400, errorCode: "DCS.4232", requestId: requests[i]!.requestId })
        })
      }
    }).pipe(Effect.provide(withEmulator())))

  it.live("a delete retried after a lost answer that finds the task gone (DCS.4232) has done its job", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const [master] = yield* emulator.nodes(INSTANCE)
      const taskId = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: INSTANCE, nodeId: master!.id })
      // The task goes; the answer of a later attempt is lost (503), and the retry finds it gone.
      yield* DcsClient.deleteOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId })
      yield* emulator.clearRequests
      yield* emulator.injectFaults({ _tag: "Status", status: 503, match: (request) => request.method === "DELETE" })
      yield* DcsClient.deleteOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId, retry: Schedule.recurs(2) })
      expect((yield* emulator.requests).map((r) => [r.method, r.status, r.errorCode])).toEqual([
        ["DELETE", 503, "DCS.5003"],
        ["DELETE", 400, "DCS.4232"]
      ])
    }).pipe(Effect.provide(withEmulator())))

  it.live("DCS.4230 (no offline key analysis on this instance) is a DcsNotSupported", () =>
    Effect.gen(function*() {
      const error = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: UNSUPPORTED, nodeId: "n-1" }).pipe(
        Effect.flip
      )
      expect(error).toMatchObject({ _tag: "DcsNotSupported", status: 400, errorCode: "DCS.4230" })
    }).pipe(Effect.provide(withEmulator())))
})

describe("the waiter under the TestClock, against the emulator", () => {
  const waitFor = (taskId: string, options: Partial<DcsClient.WaitForOfflineKeyAnalysisTaskRequest> = {}) =>
    DcsClient.waitForOfflineKeyAnalysisTask({
      instanceId: INSTANCE,
      taskId,
      schedule: Schedule.spaced("1 second"),
      ...options
    })

  it.effect("success: the record once the list shows it, with the emulator's times", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const emulator = yield* DcsEmulator.DcsEmulator
      const [master] = yield* emulator.nodes(INSTANCE)
      const taskId = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: INSTANCE, nodeId: master!.id })
      yield* emulator.clearRequests
      const fiber = yield* Effect.fork(waitFor(taskId))
      const record = yield* drive(fiber, 1000)
      expect(record.id).toBe(taskId)
      expect(record.status).toBe("success")
      expect(DateTime.toEpochMillis(record.createdAt)).toBe(T0)
      expect(millisOf(record.startedAt)).toBe(T0 + 2000)
      expect(millisOf(record.finishedAt)).toBe(T0 + 5000)
      expect(yield* Clock.currentTimeMillis).toBe(T0 + 5000)
      // Looks at 0, 1, …, 5 s: six list requests, each signed at its own time.
      const requests = yield* emulator.requests
      expect(requests.map((r) => [r.method, r.query, r.status])).toEqual(
        Array(6).fill(["GET", "offset=0&limit=100", 200])
      )
      expect(requests.map((r) => r.receivedAt - T0)).toEqual([0, 1000, 2000, 3000, 4000, 5000])
      expect(requests.map((r) => r.headers["x-sdk-date"])).toEqual(
        ["18", "19", "20", "21", "22", "23"].map((s) => `20241015T0221${s}Z`)
      )
    }).pipe(Effect.provide(withEmulator({ waitingFor: "2 seconds", runningFor: "3 seconds" }))), { timeout: 30_000 })

  it.effect("failure: a DcsAnalysisFailed naming the task (failNextAnalysis)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const emulator = yield* DcsEmulator.DcsEmulator
      const [master] = yield* emulator.nodes(INSTANCE)
      yield* emulator.failNextAnalysis
      const taskId = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: INSTANCE, nodeId: master!.id })
      const fiber = yield* Effect.fork(Effect.flip(waitFor(taskId)))
      const error = yield* drive(fiber, 1000)
      expect(error._tag).toBe("DcsAnalysisFailed")
      expect(error).toMatchObject({ instanceId: INSTANCE, taskId })
      expect(yield* Clock.currentTimeMillis).toBe(T0 + 5000)
      expect((yield* emulator.tasks(INSTANCE))[0]).toMatchObject({ id: taskId, status: "failed" })
    }).pipe(Effect.provide(withEmulator({ waitingFor: "2 seconds", runningFor: "3 seconds" }))), { timeout: 30_000 })

  it.effect("timeout: a DcsWaitTimeout with the time waited and the last status seen", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(T0)
      const emulator = yield* DcsEmulator.DcsEmulator
      const [master] = yield* emulator.nodes(INSTANCE)
      const taskId = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: INSTANCE, nodeId: master!.id })
      yield* emulator.clearRequests
      const fiber = yield* Effect.fork(Effect.flip(waitFor(taskId, { timeout: "10500 millis" })))
      const error = yield* drive(fiber, 1000)
      expect(error).toMatchObject({
        _tag: "DcsWaitTimeout",
        instanceId: INSTANCE,
        taskId,
        waitedMillis: 10_500,
        lastStatus: "running"
      })
      // Looks at 0, 1, …, 10 s.
      expect((yield* emulator.requests).length).toBe(11)
    }).pipe(Effect.provide(withEmulator({ waitingFor: "2 seconds", runningFor: Duration.infinity }))), {
    timeout: 30_000
  })

  it.effect(
    "a task that does not exist ends the wait at once: DcsTaskNotFound, as show answers",
    () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(T0)
        const error = yield* Effect.flip(waitFor("no-such-task", { timeout: "3 seconds" }))
        expect(error).toMatchObject({ _tag: "DcsTaskNotFound", errorCode: "DCS.4232", taskId: "no-such-task" })
      }).pipe(Effect.provide(withEmulator())),
    { timeout: 30_000 }
  )
})

describe("analyzeKeys end to end through the real HTTP stack", () => {
  it.live("creates, waits and shows: the finished task and the emulator's report", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const [master] = yield* emulator.nodes(INSTANCE)
      const { report, task } = yield* DcsClient.analyzeKeys({
        instanceId: INSTANCE,
        nodeId: master!.id,
        schedule: Schedule.spaced("100 millis")
      })
      expect(task.status).toBe("success")
      expect(Option.isSome(task.startedAt) && Option.isSome(task.finishedAt)).toBe(true)
      expect(Option.getOrUndefined(report.id)).toBe(task.id)
      expect(Option.getOrUndefined(report.nodeId)).toBe(master!.id)
      expect(Option.getOrUndefined(report.analysisType)).toBe("new_backup")
      expect(reportFields(report)).toEqual(
        DcsEmulator.reportAt(INSTANCE, DateTime.toEpochMillis(Option.getOrThrow(task.finishedAt)))
      )
      expect(Option.getOrThrow(report.totalBytes)).toBeGreaterThan(2 ** 31)
      const base = resourcePath(emulator)
      const requests = yield* emulator.requests
      expect(requests[0]).toMatchObject({ method: "POST", path: base, status: 200 })
      expect(requests.at(-1)).toMatchObject({ method: "GET", path: `${base}/${task.id}`, status: 200 })
      const looks = requests.slice(1, -1)
      expect(looks.length).toBeGreaterThanOrEqual(1)
      expect(looks.every((r) => r.method === "GET" && r.path === base && r.status === 200)).toBe(true)
      expect(requests.every((r) => r.headers["authorization"]?.startsWith("SDK-HMAC-SHA256 "))).toBe(true)
    }).pipe(Effect.provide(withEmulator({ waitingFor: "200 millis", runningFor: "300 millis" }))))

  it.live("with a backup id: an old_backup analysis; a failed one is a DcsAnalysisFailed and nothing is shown", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const [, slave] = yield* emulator.nodes(INSTANCE)
      const { report } = yield* DcsClient.analyzeKeys({
        instanceId: INSTANCE,
        nodeId: slave!.id,
        backupId: "backup-1",
        schedule: Schedule.spaced("100 millis")
      })
      expect(Option.getOrUndefined(report.backupId)).toBe("backup-1")
      expect(Option.getOrUndefined(report.analysisType)).toBe("old_backup")
      expect(Option.getOrUndefined(report.nodeType)).toBe("slave")

      yield* emulator.failNextAnalysis
      yield* emulator.clearRequests
      const error = yield* DcsClient.analyzeKeys({
        instanceId: INSTANCE,
        nodeId: slave!.id,
        schedule: Schedule.spaced("100 millis")
      }).pipe(Effect.flip)
      expect(error._tag).toBe("DcsAnalysisFailed")
      const requests = yield* emulator.requests
      expect(requests[0]?.method).toBe("POST")
      expect(requests.slice(1).every((r) => r.method === "GET" && r.path === resourcePath(emulator))).toBe(true)
    }).pipe(Effect.provide(withEmulator({ waitingFor: "200 millis", runningFor: "300 millis" }))))
})
