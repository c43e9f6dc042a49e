/**
 * Instances, nodes, analyses of instances and fleets through the live layer (undici) against a
 * small DCS on loopback (test/utils/fleetServer.ts) that pages, caps pages, sends the loose
 * types the spec documents, and throttles.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, DateTime, Effect, Fiber, Layer, Option, Schedule, Stream, TestClock } from "effect"
import { DcsClient, Fleet } from "../src/index.js"
import { fleetHandler, type FleetServerOptions, wireInstance, wireNode } from "./utils/fleetServer.js"
import { testServer } from "./utils/server.js"

const PROJECT = "proj-fleet"

const liveClient = (endpoint: string, options: Partial<DcsClient.Options> = {}) =>
  Layer.provide(
    DcsClient.layer({ endpoint, projectId: PROJECT, retry: Schedule.stop, ...options }),
    NodeHttpClient.layerUndici
  )

// Looks at the task list every few milliseconds: the server moves tasks on per look, not per second.
const fastWait = { schedule: Schedule.spaced("5 millis") }
// Throttling waited out quickly: the delays are real here.
const fastRetry = Schedule.exponential("5 millis").pipe(Schedule.jittered, Schedule.upTo("20 seconds"))

/** Shard `s` of a cluster holds keys of `bytes[s]` bytes. */
const shardReport = (bytes: ReadonlyArray<number>) => (instanceId: string, nodeId: string) => {
  const shard = Number(/-s(\d+)-/.exec(nodeId)?.[1] ?? 0)
  const size = bytes[shard] ?? 1
  return {
    total_bytes: size * 10,
    total_num: 100 + shard,
    largest_keys: [
      { key: `${instanceId}:big:${shard}`, type: "hash", bytes: size, num_of_elem: 10 },
      { key: `${instanceId}:small:${shard}`, type: "string", bytes: Math.floor(size / 2) }
    ],
    largest_key_prefixes: [{ key_prefix: "session:", type: "string", bytes: size, num: 5 }],
    type_bytes: [{ type: "hash", bytes: size }, { type: "string", bytes: Math.floor(size / 2) }],
    type_num: [{ type: "hash", num: 1 }, { type: "string", num: 1 }]
  }
}

const cluster = (id: string, shards: number, fields: Record<string, unknown> = {}) => ({
  instance: wireInstance(id, fields),
  nodes: Array.from({ length: shards }, (_, s) => [wireNode(id, s, "master"), wireNode(id, s, "slave")]).flat()
})

const serve = (options: Omit<FleetServerOptions, "project">) =>
  Effect.gen(function*() {
    const fleet = fleetHandler({ project: PROJECT, ...options })
    const server = yield* testServer(fleet.handler)
    return { server, tasks: fleet.tasks }
  })

describe("live: listInstances and streamInstances", () => {
  it.scopedLive("decodes the loose wire types and ignores unknown fields", () =>
    Effect.gen(function*() {
      const { server } = yield* serve({
        instances: [
          wireInstance("a"),
          wireInstance("b", { capacity: 0, capacity_minor: ".125", no_password_access: "false", port: "6380" }),
          wireInstance("c", { status: "MIGRATING", tags: [{ key: 1, value: 2 }], enterprise_project_id: "ep-1" })
        ],
        nodes: {},
        report: () => ({})
      })
      const page = yield* DcsClient.listInstances({ limit: 10 }).pipe(Effect.provide(liveClient(server.endpoint)))
      expect(page.total).toBe(3)
      const [a, b, c] = page.instances
      expect(a).toMatchObject({
        id: "a",
        engine: "Redis",
        engineVersion: "5.0",
        status: "RUNNING",
        capacity: Option.some(4),
        noPasswordAccess: Option.some(true),
        enterpriseProjectId: Option.some("0"),
        features: { support_acl: true, support_ssl: false },
        port: Option.some(6379)
      })
      expect(a && DateTime.formatIso(a.createdAt)).toBe("2025-11-04T08:15:02.481Z")
      expect(b).toMatchObject({
        capacity: Option.some(0.125),
        noPasswordAccess: Option.some(false),
        port: Option.some(6380)
      })
      expect(c).toMatchObject({
        status: { _tag: "Unrecognized", status: "MIGRATING" },
        tags: [{ key: "1", value: "2" }],
        enterpriseProjectId: Option.some("ep-1")
      })
    }))

  it.scopedLive("sends the filters as query parameters", () =>
    Effect.gen(function*() {
      const { server } = yield* serve({
        instances: [
          wireInstance("a", { name: "orders-cache" }),
          wireInstance("b", { name: "orders", tags: [{ key: "env", value: "dev" }] })
        ],
        nodes: {},
        report: () => ({})
      })
      const layer = liveClient(server.endpoint)
      const fuzzy = yield* DcsClient.listInstances({ name: "orders", status: "RUNNING", tags: { env: "prod" } }).pipe(
        Effect.provide(layer)
      )
      expect(fuzzy.instances.map((i) => i.id)).toEqual(["a"])
      const exact = yield* DcsClient.listInstances({ name: "orders", nameEqual: true, offset: 0, limit: 5 }).pipe(
        Effect.provide(layer)
      )
      expect(exact.instances.map((i) => i.id)).toEqual(["b"])
      yield* DcsClient.listInstances({ instanceId: "b", tags: { env: "dev", team: "x y" } }).pipe(Effect.provide(layer))
      expect(server.seen.map((s) => s.query)).toEqual([
        [["name", "orders"], ["status", "RUNNING"], ["tags", "env=prod"]],
        [["offset", "0"], ["limit", "5"], ["name", "orders"], ["name_equal", "true"]],
        [["instance_id", "b"], ["tags", "env=dev,team=x y"]]
      ])
      expect(server.seen.every((s) => s.path === `/v2/${PROJECT}/instances` && s.method === "GET")).toBe(true)
    }))

  it.scopedLive("streams every instance once over pages capped below the limit, advancing by what came", () =>
    Effect.gen(function*() {
      const instances = Array.from({ length: 23 }, (_, i) => wireInstance(`i-${String(i).padStart(2, "0")}`))
      const { server } = yield* serve({ instances, nodes: {}, report: () => ({}), maxPage: 4 })
      const all = yield* DcsClient.streamInstances({ pageSize: 10, status: "RUNNING" }).pipe(
        Stream.runCollect,
        Effect.provide(liveClient(server.endpoint))
      )
      expect(Chunk.toReadonlyArray(all).map((i) => i.id)).toEqual(instances.map((i) => i.instance_id))
      expect(server.seen.map((s) => new Map(s.query).get("offset"))).toEqual(["0", "4", "8", "12", "16", "20"])
      expect(server.seen.every((s) => new Map(s.query).get("limit") === "10")).toBe(true)
    }))

  it.scopedLive("rejects bad filters before sending anything", () =>
    Effect.gen(function*() {
      const { server } = yield* serve({ instances: [], nodes: {}, report: () => ({}) })
      const layer = liveClient(server.endpoint)
      const fields = yield* Effect.forEach([
        DcsClient.listInstances({ limit: 0 }),
        DcsClient.listInstances({ limit: 1001 }),
        DcsClient.listInstances({ tags: { "a=b": "c" } }),
        DcsClient.listInstances({ tags: { a: "b,c" } }),
        DcsClient.listInstances({ name: "" }),
        DcsClient.listInstances({ nameEqual: "yes" as unknown as boolean })
      ], (effect) =>
        Effect.map(Effect.flip(Effect.provide(effect, layer)), (e) =>
          e._tag === "DcsInvalidRequest" && e.field))
      expect(fields).toEqual(["limit", "limit", "tags", "tags", "name", "nameEqual"])
      expect(server.seen).toHaveLength(0)
    }))
})

describe("live: the layer's rate limit", () => {
  it.scopedLive("an invalid rate limit fails every call naming it, sending nothing", () =>
    Effect.gen(function*() {
      const { server } = yield* serve({ instances: [], nodes: {}, report: () => ({}) })
      for (const rateLimit of [{ requests: 0, per: "1 second" }, { requests: 2, per: "0 millis" }] as const) {
        const error = yield* DcsClient.listInstances().pipe(
          Effect.flip,
          Effect.provide(liveClient(server.endpoint, { rateLimit }))
        )
        expect(error).toMatchObject({ _tag: "DcsInvalidRequest", field: "rateLimit" })
      }
      expect(server.seen).toHaveLength(0)
    }))

  // The limiter runs on the Clock: under the TestClock, only the test moves time, so what reaches the
  // real server is decided by the limiter alone, however slow the machine is.
  it.scoped("spaces the requests of concurrent fibers: never more than `requests` in a window", () =>
    Effect.gen(function*() {
      const fleet = fleetHandler({ project: PROJECT, instances: [wireInstance("a")], nodes: {}, report: () => ({}) })
      const server = yield* testServer(fleet.handler)
      const realSleep = (millis: number) => Effect.promise(() => new Promise((resolve) => setTimeout(resolve, millis)))
      // Waits (in real time, the sockets' time) until the server has seen `n` requests.
      const seen = (n: number): Effect.Effect<void> =>
        server.seen.length >= n ? Effect.void : Effect.zipRight(realSleep(10), Effect.suspend(() => seen(n)))
      const fiber = yield* Effect.all(Array.from({ length: 6 }, () => DcsClient.listInstances()), {
        concurrency: "unbounded"
      }).pipe(
        Effect.provide(liveClient(server.endpoint, { rateLimit: { requests: 2, per: "1 second" } })),
        Effect.fork
      )
      for (const expected of [2, 4, 6]) {
        yield* seen(expected)
        yield* realSleep(100)
        expect(server.seen).toHaveLength(expected)
        yield* TestClock.adjust("1 second")
      }
      expect(yield* Fiber.join(fiber)).toHaveLength(6)
    }))
})

describe("live: listInstanceNodes", () => {
  it.scopedLive("decodes the nodes (node_port as a string) and sends GET …/logical-nodes", () =>
    Effect.gen(function*() {
      const c = cluster("c1", 2)
      const { server } = yield* serve({
        instances: [c.instance],
        nodes: { c1: [...c.nodes, wireNode("c1", 0, "proxy", 1)] },
        report: () => ({})
      })
      const nodes = yield* DcsClient.listInstanceNodes({ instanceId: "c1" }).pipe(
        Effect.provide(liveClient(server.endpoint))
      )
      expect(nodes.map((n) => [n.nodeId, n.nodeType, Option.getOrNull(n.groupName)])).toEqual([
        ["c1-s0-master", "master", "group-0"],
        ["c1-s0-slave", "slave", "group-0"],
        ["c1-s1-master", "master", "group-1"],
        ["c1-s1-slave", "slave", "group-1"],
        ["c1-proxy-1", "proxy", null]
      ])
      expect(nodes[0]).toMatchObject({
        port: Option.some(6379),
        status: Option.some("Active"),
        ip: Option.some("10.0.0.0")
      })
      expect(server.seen[0]?.path).toBe(`/v2/${PROJECT}/instances/c1/logical-nodes`)
    }))

  it.scopedLive("an unknown instance is a DcsNotFound naming it", () =>
    Effect.gen(function*() {
      const { server } = yield* serve({ instances: [], nodes: {}, report: () => ({}) })
      const error = yield* DcsClient.listInstanceNodes({ instanceId: "nope" }).pipe(
        Effect.flip,
        Effect.provide(liveClient(server.endpoint))
      )
      expect(error).toMatchObject({ _tag: "DcsNotFound", errorCode: "DCS.3022", instanceId: "nope" })
    }))
})

describe("live: analyzeInstance", () => {
  it.scopedLive("a cluster of three shards: one replica each, merged, its largest key from the second shard", () =>
    Effect.gen(function*() {
      const c = cluster("c1", 3)
      const { server, tasks } = yield* serve({
        instances: [c.instance],
        nodes: { c1: [wireNode("c1", 0, "proxy", 1), ...c.nodes] },
        report: shardReport([300, 900, 500])
      })
      const analysis = yield* DcsClient.analyzeInstance({ instanceId: "c1", ...fastWait }).pipe(
        Effect.provide(liveClient(server.endpoint))
      )
      // Replicas spare the masters the backup; the proxy holds no data.
      expect(tasks.map((t) => t.nodeId).sort()).toEqual(["c1-s0-slave", "c1-s1-slave", "c1-s2-slave"])
      expect(analysis.largestKeys[0]).toMatchObject({
        key: "c1:big:1",
        bytes: 900,
        nodeId: "c1-s1-slave",
        shard: "group-1"
      })
      expect(analysis.largestKeys.map((k) => k.bytes)).toEqual([900, 500, 450, 300, 250, 150])
      expect(analysis.totalBytes).toBe(17_000)
      expect(analysis.totalNum).toBe(303)
      expect(analysis.largestKeyPrefixes).toMatchObject([{
        keyPrefix: "session:",
        type: "string",
        bytes: 1700,
        num: 15
      }])
      expect(analysis.nodes.map((n) => n.node.nodeId).sort()).toEqual(["c1-s0-slave", "c1-s1-slave", "c1-s2-slave"])
    }))

  it.scopedLive("masters only, or explicit nodes", () =>
    Effect.gen(function*() {
      const c = cluster("c1", 2)
      const { server, tasks } = yield* serve({
        instances: [c.instance],
        nodes: { c1: c.nodes },
        report: shardReport([1, 2])
      })
      const layer = liveClient(server.endpoint)
      yield* DcsClient.analyzeInstance({ instanceId: "c1", nodes: "masters", ...fastWait }).pipe(Effect.provide(layer))
      expect(tasks.map((t) => t.nodeId).sort()).toEqual(["c1-s0-master", "c1-s1-master"])
      const one = yield* DcsClient.analyzeInstance({ instanceId: "c1", nodes: ["c1-s1-slave"], ...fastWait }).pipe(
        Effect.provide(layer)
      )
      expect(one.nodes.map((n) => n.node.nodeId)).toEqual(["c1-s1-slave"])
    }))

  it.scopedLive("attaches to an analysis already running on a node", () =>
    Effect.gen(function*() {
      const c = cluster("c1", 2)
      const { server, tasks } = yield* serve({
        instances: [c.instance],
        nodes: { c1: c.nodes },
        report: shardReport([1, 2]),
        running: { c1: { "c1-s1-slave": "already-1" } },
        runningLooks: 3
      })
      const analysis = yield* DcsClient.analyzeInstance({ instanceId: "c1", ...fastWait }).pipe(
        Effect.provide(liveClient(server.endpoint))
      )
      const attached = analysis.nodes.find((n) => n.node.nodeId === "c1-s1-slave")
      expect(attached).toMatchObject({ attached: true, task: { id: "already-1" } })
      expect(tasks).toHaveLength(2)
    }))
})

describe("live: the task lifecycle", () => {
  it.scopedLive("a wait on a task that does not exist fails at once with DcsTaskNotFound", () =>
    Effect.gen(function*() {
      const c = cluster("c1", 1)
      const { server } = yield* serve({ instances: [c.instance], nodes: { c1: c.nodes }, report: () => ({}) })
      const error = yield* DcsClient.waitForOfflineKeyAnalysisTask({ instanceId: "c1", taskId: "typo" }).pipe(
        Effect.flip,
        Effect.provide(liveClient(server.endpoint))
      )
      expect(error).toMatchObject({ _tag: "DcsTaskNotFound", errorCode: "DCS.4232", taskId: "typo" })
      expect(server.seen).toHaveLength(2)
    }))

  it.scopedLive("DcsAnalysisAlreadyRunning carries the id of the task running on the node", () =>
    Effect.gen(function*() {
      const c = cluster("c1", 1)
      const { server } = yield* serve({
        instances: [c.instance],
        nodes: { c1: c.nodes },
        report: () => ({}),
        running: { c1: { "c1-s0-master": "busy-7", "c1-s0-slave": "other-8" } },
        runningLooks: 100
      })
      const error = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: "c1", nodeId: "c1-s0-master" }).pipe(
        Effect.flip,
        Effect.provide(liveClient(server.endpoint))
      )
      expect(error).toMatchObject({ _tag: "DcsAnalysisAlreadyRunning", errorCode: "DCS.4231", runningTaskId: "busy-7" })
    }))
})

describe("live: analyzeFleet", () => {
  const mixedFleet = () => {
    const c1 = cluster("c1", 3)
    const c2 = cluster("c2", 1, { engine_version: "6.0" })
    const c3 = cluster("c3", 2, { engine_version: "4.0" })
    return {
      instances: [
        c1.instance,
        c2.instance,
        wireInstance("old", { engine_version: "3.0" }),
        wireInstance("memcached", { engine: "Memcached", engine_version: null }),
        wireInstance("creating", { status: "CREATING" }),
        wireInstance("frozen", { status: "FROZEN" }),
        c3.instance
      ],
      nodes: { c1: c1.nodes, c2: c2.nodes, c3: c3.nodes }
    }
  }

  it.scopedLive("throttled on a third of its requests, with and without Retry-After: no instance Failed", () =>
    Effect.gen(function*() {
      let throttled = 0
      const { server } = yield* serve({
        ...mixedFleet(),
        report: (instanceId, nodeId) =>
          shardReport(instanceId === "c3" ? [10, 400] : [100, 700, 300])(instanceId, nodeId),
        maxPage: 3,
        throttle: (index) => {
          if (index % 3 !== 1) return undefined
          throttled++
          return throttled === 2 ? { retryAfter: "1" } : {}
        }
      })
      const outcomes = yield* DcsClient.analyzeFleet({ concurrency: 3, retry: fastRetry, ...fastWait }).pipe(
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray),
        Effect.provide(liveClient(server.endpoint))
      )
      expect(throttled).toBeGreaterThan(5)
      const byInstance = Object.fromEntries(outcomes.map((o) => [o.instance.id, o]))
      expect(Object.keys(byInstance).sort()).toEqual(["c1", "c2", "c3", "creating", "frozen", "memcached", "old"])
      expect(outcomes.filter((o) => o._tag === "Failed")).toEqual([])
      expect(Object.fromEntries(outcomes.map((o) => [o.instance.id, o._tag]))).toEqual({
        c1: "Analyzed",
        c2: "Analyzed",
        c3: "Analyzed",
        old: "Unsupported",
        memcached: "Unsupported",
        creating: "Skipped",
        frozen: "Skipped"
      })
      expect(byInstance.creating).toMatchObject({ reason: "CREATING" })
      const summary = Fleet.summarizeFleet(outcomes, { top: 3 })
      expect(summary.counts).toEqual({ Analyzed: 3, Unsupported: 2, Skipped: 2, Failed: 0 })
      expect(summary.largestKeys.map((k) => [k.instance.id, k.key.key, k.key.shard])).toEqual([
        ["c1", "c1:big:1", "group-1"],
        ["c3", "c3:big:1", "group-1"],
        ["c1", "c1:small:1", "group-1"]
      ])
      // The analysed ones biggest first (c1 11,000 bytes, c3 4,100, c2 1,000), then the others.
      expect(summary.instances.map((i) => [i.instance.id, i.outcome])).toEqual([
        ["c1", "Analyzed"],
        ["c3", "Analyzed"],
        ["c2", "Analyzed"],
        ...outcomes.filter((o) => o._tag !== "Analyzed").map((o) => [o.instance.id, o._tag])
      ].sort((x, y) => (x[1] === "Analyzed" ? 0 : 1) - (y[1] === "Analyzed" ? 0 : 1)))
    }))

  it.scopedLive("a failure of one instance never stops the others; the outcome carries the error", () =>
    Effect.gen(function*() {
      const fleet = mixedFleet()
      const { server } = yield* serve({
        ...fleet,
        // c2's nodes are unusable: c2 fails, the rest goes on.
        throttle: () => undefined,
        report: shardReport([1, 2, 3]),
        nodes: { ...fleet.nodes, c2: "broken" as unknown as [] }
      })
      const outcomes = yield* DcsClient.analyzeFleet({ concurrency: 2, retry: Schedule.stop, ...fastWait }).pipe(
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray),
        Effect.provide(liveClient(server.endpoint))
      )
      const failed = outcomes.filter((o) => o._tag === "Failed")
      expect(failed.map((o) => o.instance.id)).toEqual(["c2"])
      // A 200 whose nodes are not an array: the typed decode error, not a defect.
      expect(failed[0]?._tag === "Failed" && failed[0].error._tag).toBe("DcsDecodeError")
      expect(outcomes.filter((o) => o._tag === "Analyzed").map((o) => o.instance.id).sort()).toEqual(["c1", "c3"])
    }))
})
