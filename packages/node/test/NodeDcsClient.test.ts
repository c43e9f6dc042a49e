import { DcsClient } from "@effect-dcs/core"
import { describe, expect, it } from "@effect/vitest"
import {
  Chunk,
  ConfigProvider,
  Effect,
  Exit,
  Fiber,
  Layer,
  Logger,
  LogLevel,
  Redacted,
  Schedule,
  Stream,
  TestClock
} from "effect"
import { inspect } from "node:util"
import * as DcsEmulator from "../src/DcsEmulator.js"
import * as NodeDcsClient from "../src/NodeDcsClient.js"
import { INSTANCE, recordingTracer } from "./support/common.js"
import { liveClientLayer } from "./support/harness.js"

const tasks = DcsEmulator.generateTasks(257)

const emulatorLayer = (options: DcsEmulator.Options = {}) =>
  DcsEmulator.layer({ instances: [{ id: INSTANCE, tasks }], ...options })

const withEmulator = (options: DcsEmulator.Options = {}, client: Partial<NodeDcsClient.Options> = {}) =>
  Layer.provideMerge(liveClientLayer(client), emulatorLayer(options))

const configFor = (emulator: DcsEmulator.DcsEmulator["Type"], extra: Record<string, string> = {}) =>
  ConfigProvider.fromMap(
    new Map(Object.entries({
      CLOUD_SDK_AK: emulator.credentials.accessKeyId,
      CLOUD_SDK_SK: Redacted.value(emulator.credentials.secretAccessKey),
      DCS_PROJECT_ID: emulator.projectId,
      DCS_ENDPOINT: emulator.url,
      ...extra
    }))
  )

describe("NodeDcsClient", () => {
  it.live("streams every task of a multi-page list through a signature-verifying server", () =>
    Effect.gen(function*() {
      const records = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: INSTANCE, pageSize: 50 }).pipe(
        Stream.runCollect
      )
      expect(Chunk.toReadonlyArray(records).map((r) => r.id)).toEqual(tasks.map((t) => t.id))
      const emulator = yield* DcsEmulator.DcsEmulator
      const requests = yield* emulator.requests
      expect(requests.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200])
      for (const request of requests) {
        expect(request.method).toBe("GET")
        expect(request.headers["user-agent"]).toMatch(/^effect-dcs\//)
        expect(request.headers["x-project-id"]).toBe(emulator.projectId)
        expect(request.headers["authorization"]).toMatch(
          /^SDK-HMAC-SHA256 Access=[^,]+, SignedHeaders=host;x-project-id;x-sdk-date, Signature=/
        )
      }
    }).pipe(Effect.provide(withEmulator())))

  it.live("layerConfig reads CLOUD_SDK_* and DCS_* and lists every task", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const records = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: INSTANCE }).pipe(
        Stream.runCollect,
        Effect.provide(NodeDcsClient.layerConfig()),
        Effect.withConfigProvider(configFor(emulator))
      )
      expect(Chunk.size(records)).toBe(tasks.length)
    }).pipe(Effect.provide(emulatorLayer())))

  it.live("layerConfig falls back to HUAWEICLOUD_SDK_* names", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const provider = ConfigProvider.fromMap(
        new Map([
          ["HUAWEICLOUD_SDK_AK", emulator.credentials.accessKeyId],
          ["HUAWEICLOUD_SDK_SK", Redacted.value(emulator.credentials.secretAccessKey)],
          ["HUAWEICLOUD_SDK_PROJECT_ID", emulator.projectId],
          ["DCS_ENDPOINT", emulator.url]
        ])
      )
      const page = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE, limit: 3 }).pipe(
        Effect.provide(NodeDcsClient.layerConfig()),
        Effect.withConfigProvider(provider)
      )
      expect(page.records.length).toBe(3)
      expect(page.total).toBe(tasks.length)
    }).pipe(Effect.provide(emulatorLayer())))

  it.effect("layerConfig fails naming the missing or malformed variable", () =>
    Effect.gen(function*() {
      const attempt = (vars: Record<string, string>) =>
        DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE }).pipe(
          Effect.provide(NodeDcsClient.layerConfig()),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars)))),
          Effect.flip,
          Effect.map(String)
        )
      const complete = {
        CLOUD_SDK_AK: "ak",
        CLOUD_SDK_SK: "sk",
        DCS_PROJECT_ID: "p1",
        DCS_REGION: "cn-north-4"
      }
      const { CLOUD_SDK_SK: _sk, ...noSk } = complete
      expect(yield* attempt(noSk)).toMatch(/CLOUD_SDK_SK[\s\S]*HUAWEICLOUD_SDK_SK/)
      // No project id, and no region to look it up with (see ProjectLookup.test.ts for the lookup).
      const { DCS_PROJECT_ID: _p, DCS_REGION: _r0, ...noProject } = complete
      expect(yield* attempt({ ...noProject, DCS_ENDPOINT: "https://dcs.example.com" })).toMatch(
        /ProjectLookupError: No project id: [\s\S]*DCS_PROJECT_ID[\s\S]*DCS_REGION/
      )
      const { DCS_REGION: _r, ...noEndpoint } = complete
      expect(yield* attempt(noEndpoint)).toMatch(/DCS_ENDPOINT[\s\S]*DCS_REGION/)
      expect(yield* attempt({ ...noEndpoint, DCS_ENDPOINT: "ftp://example.com" })).toMatch(/DCS_ENDPOINT must be/)
      expect(yield* attempt({ ...noEndpoint, DCS_ENDPOINT: "https://user:pw@example.com" })).toMatch(
        /DCS_ENDPOINT must be/
      )
      expect(yield* attempt({ ...complete, DCS_REGION: "cn north 4" })).toMatch(/DCS_REGION must be/)
      expect(yield* attempt({ ...complete, CLOUD_SDK_AK: "" })).toMatch(/CLOUD_SDK_AK/)
    }))

  it.effect("a retried attempt is signed afresh, with a new date", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2024-10-15T02:21:18Z"))
      const emulator = yield* DcsEmulator.DcsEmulator
      yield* emulator.injectFaults({ _tag: "Status", status: 503 })
      const fiber = yield* DcsClient.listOfflineKeyAnalysisTasks({
        instanceId: INSTANCE,
        limit: 1,
        retry: Schedule.spaced("5 seconds")
      }).pipe(Effect.fork)
      // Let the first attempt reach the server and fail before moving time on.
      yield* Effect.repeat(emulator.requests, {
        until: (requests) => requests.length === 1 && requests[0]!.status === 503
      }).pipe(Effect.andThen(Effect.yieldNow()))
      yield* TestClock.adjust("5 seconds")
      const page = yield* Fiber.join(fiber)
      expect(page.records.length).toBe(1)
      const requests = yield* emulator.requests
      expect(requests.map((r) => r.status)).toEqual([503, 200])
      expect(requests.map((r) => r.headers["x-sdk-date"])).toEqual(["20241015T022118Z", "20241015T022123Z"])
    }).pipe(Effect.provide(withEmulator())), { timeout: 20_000 })

  it.live("logs each attempt and each failed attempt at debug, nothing above for expected errors", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const lines: Array<readonly [string, string]> = []
      const logger = Logger.make(({ logLevel, message }) => {
        lines.push([logLevel.label, String(Array.isArray(message) ? message.join(" ") : message)])
      })
      yield* emulator.injectFaults({ _tag: "Status", status: 503 })
      yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE, limit: 1, retry: Schedule.recurs(1) }).pipe(
        Effect.zipRight(Effect.flip(DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "no-such-instance" }))),
        Logger.withMinimumLogLevel(LogLevel.All),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      expect(lines.map(([level]) => level)).toEqual(["DEBUG", "DEBUG", "DEBUG", "DEBUG", "DEBUG"])
      expect(lines[1]![1]).toMatch(/^DcsClient: GET .* failed: .*HTTP 503/)
      expect(lines[4]![1]).toMatch(/failed: DCS\.4401/)
    }).pipe(Effect.provide(withEmulator())))

  it.live("region builds the regional endpoint", () =>
    Effect.gen(function*() {
      expect(NodeDcsClient.regionEndpoint("cn-north-4")).toBe("https://dcs.cn-north-4.myhuaweicloud.com")
    }))

  it.live("no secret appears in errors, logs or spans", () =>
    Effect.gen(function*() {
      const SECRET = "SK-SECRET-do-not-print-7f3a"
      const TOKEN = "TOKEN-SECRET-do-not-print-91bc"
      const emulator = yield* DcsEmulator.DcsEmulator
      const logs: Array<string> = []
      const spans: Array<string> = []
      const logger = Logger.make(({ annotations, message }) => {
        logs.push(inspect({ message, annotations: [...annotations] }, { depth: 10 }))
      })
      const tracer = recordingTracer(spans)
      const credentials = {
        accessKeyId: emulator.credentials.accessKeyId,
        secretAccessKey: Redacted.make(SECRET),
        securityToken: Redacted.make(TOKEN)
      }
      const layer = NodeDcsClient.layer({ endpoint: emulator.url, projectId: emulator.projectId, credentials })
      const program = Effect.gen(function*() {
        yield* Effect.logDebug("credentials", credentials)
        // A bad signature: the gateway's 401 body echoes the canonical request, token included.
        const unauthorized = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE }).pipe(Effect.flip)
        expect(unauthorized._tag).toBe("DcsUnauthorized")
        yield* Effect.logError("failed", unauthorized)
        // A transport error after retries.
        yield* emulator.injectFaults({ _tag: "Drop" }, { _tag: "Drop" })
        const transport = yield* DcsClient.listOfflineKeyAnalysisTasks({
          instanceId: INSTANCE,
          retry: Schedule.recurs(1)
        }).pipe(Effect.flip)
        expect(transport._tag).toBe("DcsTransportError")
        return [unauthorized, transport] as const
      })
      const errors = yield* program.pipe(
        Effect.provide(layer),
        Effect.withTracer(tracer),
        Logger.withMinimumLogLevel(LogLevel.All),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      const printed = [
        ...errors.flatMap((error) => [
          error.message,
          String(error),
          JSON.stringify(error),
          inspect(error, { depth: 10 }),
          inspect(Exit.fail(error), { depth: 10 })
        ]),
        String(credentials.secretAccessKey),
        JSON.stringify(credentials),
        inspect(credentials, { depth: 10 }),
        ...logs,
        ...spans
      ].join("\n")
      expect(logs.length).toBeGreaterThan(0)
      expect(spans.length).toBeGreaterThan(0)
      expect(printed).not.toContain(SECRET)
      expect(printed).not.toContain(TOKEN)
      expect(printed).not.toMatch(/Signature=[0-9a-f]{64}/)
      // The 401's message keeps the gateway's debugging aid, with the token masked.
      expect(errors[0].message).toContain("APIGW.0301")
    }).pipe(Effect.provide(emulatorLayer())))
})
