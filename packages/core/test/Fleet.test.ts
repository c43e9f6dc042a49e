/**
 * Instances, nodes, instance analyses and fleets on `DcsClient.layerTest` (TestClock, no
 * sockets), the node choice per shard, the merge (property tests), and the rate limit.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Either, FastCheck as fc, Fiber, Option, Schema, Stream, TestClock } from "effect"
import { DcsClient, DcsClientTest, DcsInstance, Fleet, InstanceAnalysis, OfflineKeyAnalysis } from "../src/index.js"
import * as rateLimit from "../src/internal/rateLimit.js"

const { TestClient } = DcsClient
const calls = Effect.flatMap(TestClient, (client) => client.calls)
const creates = Effect.map(
  calls,
  (all) => all.flatMap((call) => call.operation === "createOfflineKeyAnalysis" ? [call.nodeId] : [])
)

/** A report whose keys say which node they come from; shard `s` keys weigh `weights[s]`. */
const reportOf = (weights: ReadonlyArray<number>) => (analysis: DcsClientTest.TestAnalysis) => {
  const shard = Number(/-s(\d+)-/.exec(analysis.nodeId)?.[1] ?? 0)
  const bytes = weights[shard] ?? 1
  return Schema.decodeUnknownSync(OfflineKeyAnalysis.OfflineKeyAnalysisReport)({
    id: analysis.taskId,
    node_id: analysis.nodeId,
    total_bytes: bytes * 10,
    total_num: 10,
    largest_keys: [{ key: `${analysis.instanceId}:k${shard}`, type: "string", bytes }],
    largest_key_prefixes: [{ key_prefix: "p:", type: "string", bytes, num: 1 }],
    type_bytes: [{ type: "string", bytes }],
    type_num: [{ type: "string", num: 1 }]
  })
}

const member = (
  id: string,
  fields: Partial<DcsClientTest.TestInstanceFields> = {},
  nodes: Parameters<typeof DcsClientTest.makeNodes>[1] = {}
): DcsClientTest.TestFleetInstance => ({
  instance: DcsClientTest.makeInstance({ id, ...fields }),
  nodes: DcsClientTest.makeNodes(id, nodes)
})

describe("layerTest: instances and nodes", () => {
  const fleet = Array.from({ length: 12 }, (_, i) =>
    member(`i-${String(i).padStart(2, "0")}`, {
      name: i % 2 === 0 ? `orders-${i}` : `sessions-${i}`,
      status: i % 4 === 3 ? "FROZEN" : "RUNNING",
      tags: i % 3 === 0 ? [new DcsInstance.InstanceTag({ key: "env", value: "prod" })] : []
    }))

  it.effect("filters like the server: fuzzy or exact name, status, tags, id", () =>
    Effect.gen(function*() {
      const ids = (request: DcsClient.ListInstancesRequest) =>
        Effect.map(DcsClient.listInstances({ limit: 100, ...request }), (page) => page.instances.map((i) => i.id))
      expect(yield* ids({ name: "ORDERS" })).toHaveLength(6)
      expect(yield* ids({ name: "orders-4", nameEqual: true })).toEqual(["i-04"])
      expect(yield* ids({ status: "FROZEN" })).toEqual(["i-03", "i-07", "i-11"])
      expect(yield* ids({ tags: { env: "prod" }, name: "orders" })).toEqual(["i-00", "i-06"])
      expect(yield* ids({ instanceId: "i-05" })).toEqual(["i-05"])
      const page = yield* DcsClient.listInstances({ offset: 10 })
      expect([page.total, page.instances.length]).toEqual([12, 2])
    }).pipe(Effect.provide(DcsClient.layerTest({ fleet }))))

  it.effect("streams every instance once through pages the server caps", () =>
    Effect.gen(function*() {
      const all = yield* DcsClient.streamInstances({ pageSize: 5 }).pipe(Stream.runCollect)
      expect(Chunk.toReadonlyArray(all).map((i) => i.id)).toEqual(fleet.map((m) => m.instance.id))
      const offsets = (yield* calls).flatMap((call) => call.operation === "listInstances" ? [call.query.offset] : [])
      expect(offsets).toEqual([0, 3, 6, 9])
    }).pipe(Effect.provide(DcsClient.layerTest({ fleet, maxLimit: 3 }))))

  it.effect("nodes of an instance; DcsNotFound for one not in the fleet", () =>
    Effect.gen(function*() {
      const nodes = yield* DcsClient.listInstanceNodes({ instanceId: "i-01" })
      expect(nodes.map((n) => n.nodeId)).toEqual(["i-01-s0-master", "i-01-s0-replica1"])
      const error = yield* DcsClient.listInstanceNodes({ instanceId: "nope" }).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "DcsNotFound", errorCode: "DCS.3022" })
    }).pipe(Effect.provide(DcsClient.layerTest({ fleet }))))
})

describe("InstanceAnalysis.selectNodes", () => {
  const nodes = DcsClientTest.makeNodes("c", { shards: 3, replicas: 2, proxies: 2 })
  const ids = (choice?: InstanceAnalysis.NodeChoice, from = nodes) =>
    Either.map(InstanceAnalysis.selectNodes("c", from, choice), (chosen) => chosen.map((n) => n.nodeId))

  it("one replica per shard by default, never a proxy; masters or replicas on demand", () => {
    expect(ids()).toEqual(Either.right(["c-s0-replica1", "c-s1-replica1", "c-s2-replica1"]))
    expect(ids("masters")).toEqual(Either.right(["c-s0-master", "c-s1-master", "c-s2-master"]))
    expect(ids("replicas")).toEqual(Either.right(["c-s0-replica1", "c-s1-replica1", "c-s2-replica1"]))
  })

  it("the master when the shard has no active replica; DcsNoAnalyzableNode for replicas only", () => {
    const single = DcsClientTest.makeNodes("s", { replicas: 0 })
    expect(Either.map(InstanceAnalysis.selectNodes("s", single), (c) => c.map((n) => n.nodeId))).toEqual(
      Either.right(["s-s0-master"])
    )
    const inactive = nodes.map((n) =>
      n.nodeId.startsWith("c-s1-replica")
        ? new DcsInstance.DcsInstanceNode({ ...n, status: Option.some("Inactive") })
        : n
    )
    expect(ids(undefined, inactive)).toEqual(Either.right(["c-s0-replica1", "c-s1-master", "c-s2-replica1"]))
    expect(Either.getLeft(ids("replicas", inactive)).pipe(Option.map((e) => e._tag))).toEqual(
      Option.some("DcsNoAnalyzableNode")
    )
    expect(Either.getLeft(ids(undefined, [])).pipe(Option.map((e) => e.message))).toEqual(
      Option.some("Instance c has no node to analyse: it lists no nodes (is it still being created?)")
    )
  })

  it("explicit ids: as given; never a proxy, an unknown node, or two nodes of one shard", () => {
    expect(ids(["c-s2-master", "c-s0-replica2"])).toEqual(Either.right(["c-s2-master", "c-s0-replica2"]))
    const reason = (choice: ReadonlyArray<string>) =>
      Either.getLeft(ids(choice)).pipe(Option.map((e) => e._tag === "DcsInvalidRequest" ? e.reason : e._tag))
    expect(reason(["c-proxy1"])).toEqual(Option.some("\"c-proxy1\" is a proxy node, which holds no data"))
    expect(reason(["x"])).toEqual(Option.some("\"x\" is not a node of the instance"))
    expect(Option.getOrThrow(reason(["c-s0-master", "c-s0-replica1"]))).toContain("second node of shard")
  })
})

describe("layerTest: analyzeInstance", () => {
  const fleet = [member("c", {}, { shards: 3, proxies: 1 })]

  it.effect("one analysis per shard, concurrently, merged; the largest key comes from the second shard", () =>
    Effect.gen(function*() {
      const fiber = yield* DcsClient.analyzeInstance({ instanceId: "c" }).pipe(Effect.fork)
      // All three run at once: 10 s is one analysis's time.
      yield* TestClock.adjust("15 seconds")
      const analysis = yield* Fiber.join(fiber)
      expect((yield* creates).sort()).toEqual(["c-s0-replica1", "c-s1-replica1", "c-s2-replica1"])
      expect(analysis.largestKeys.map((k) => [k.key, k.shard])).toEqual([
        ["c:k1", "group-1"],
        ["c:k2", "group-2"],
        ["c:k0", "group-0"]
      ])
      expect(analysis.totalBytes).toBe(10 * (5 + 90 + 30))
      expect(analysis.largestKeyPrefixes).toMatchObject([{ keyPrefix: "p:", bytes: 125, num: 3 }])
    }).pipe(Effect.provide(DcsClient.layerTest({ fleet, analysis: { report: reportOf([5, 90, 30]) } }))))

  it.effect("concurrency 1 analyses the shards one after the other", () =>
    Effect.gen(function*() {
      const fiber = yield* DcsClient.analyzeInstance({ instanceId: "c", concurrency: 1 }).pipe(Effect.fork)
      yield* TestClock.adjust("5 seconds")
      expect(yield* creates).toHaveLength(1)
      yield* TestClock.adjust("1 minute")
      expect((yield* Fiber.join(fiber)).nodes).toHaveLength(3)
    }).pipe(Effect.provide(DcsClient.layerTest({ fleet }))))

  it.effect("a shard whose analysis fails fails the whole, with the task named", () =>
    Effect.gen(function*() {
      const fiber = yield* DcsClient.analyzeInstance({ instanceId: "c" }).pipe(Effect.flip, Effect.fork)
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "DcsAnalysisFailed", instanceId: "c" })
    }).pipe(Effect.provide(DcsClient.layerTest({
      fleet,
      analysis: { outcome: ({ nodeId }) => nodeId.includes("s1") ? "failed" : "success" }
    }))))

  it.effect("rejects bad input before any call", () =>
    Effect.gen(function*() {
      const fields = yield* Effect.forEach([
        { instanceId: "" },
        { instanceId: "c", nodes: "everything" as "masters" },
        { instanceId: "c", nodes: [""] },
        { instanceId: "c", concurrency: 0 },
        { instanceId: "c", onAlreadyRunning: "wait" as "fail" }
      ], (request) => Effect.map(Effect.flip(DcsClient.analyzeInstance(request)), (e) => "field" in e && e.field))
      expect(fields).toEqual(["instanceId", "nodes", "nodes", "concurrency", "onAlreadyRunning"])
      expect(yield* calls).toEqual([])
    }).pipe(Effect.provide(DcsClient.layerTest({ fleet }))))
})

describe("layerTest: analyzeFleet", () => {
  const fleet = [
    member("a", {}, { shards: 2 }),
    member("b", { engineVersion: "6.0" }),
    member("redis3", { engineVersion: "3.0" }),
    member("mc", { engine: "Memcached", engineVersion: "" }),
    member("creating", { status: "CREATING" }, { shards: 0, replicas: 0 }),
    member("proxyonly", {}, { shards: 0, proxies: 2 }),
    member("c", {}, { shards: 3 })
  ]

  it.effect("one outcome per instance: Analyzed, Unsupported, Skipped, Failed", () =>
    Effect.gen(function*() {
      const fiber = yield* DcsClient.analyzeFleet({ concurrency: 2 }).pipe(Stream.runCollect, Effect.fork)
      yield* TestClock.adjust("5 minutes")
      const outcomes = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      expect(Object.fromEntries(outcomes.map((o) => [o.instance.id, o._tag]))).toEqual({
        a: "Analyzed",
        b: "Failed",
        redis3: "Unsupported",
        mc: "Unsupported",
        creating: "Skipped",
        proxyonly: "Unsupported",
        c: "Analyzed"
      })
      const failed = outcomes.find((o) => o._tag === "Failed")
      expect(failed?._tag === "Failed" && failed.error).toMatchObject({ _tag: "DcsAnalysisFailed", instanceId: "b" })
      // An outcome encodes to JSON and back.
      const encoded = JSON.parse(JSON.stringify(Schema.encodeSync(Fleet.FleetOutcome)(outcomes[0]!)))
      expect(Schema.decodeUnknownSync(Fleet.FleetOutcome)(encoded)).toEqual(outcomes[0])
      const summary = Fleet.summarizeFleet(outcomes)
      expect(summary.counts).toEqual({ Analyzed: 2, Unsupported: 3, Skipped: 1, Failed: 1 })
      // a's and c's second shards hold the fleet's biggest keys.
      expect(summary.largestKeys.slice(0, 2).map((k) => [k.instance.id, k.key.key, k.key.bytes])).toEqual([
        ["a", "a:k1", 90],
        ["c", "c:k1", 90]
      ])
      expect(summary.instances.find((i) => i.instance.id === "creating")?.reason).toEqual(Option.some("CREATING"))
    }).pipe(Effect.provide(DcsClient.layerTest({
      fleet,
      analysis: {
        report: reportOf([5, 90, 30]),
        outcome: ({ instanceId }) => instanceId === "b" ? "failed" : "success"
      }
    }))))

  it.effect("concurrency bounds the instances analysed at once; onInstances sees them all first", () =>
    Effect.gen(function*() {
      let listed = 0
      const fiber = yield* DcsClient.analyzeFleet({
        concurrency: 1,
        status: "RUNNING",
        onInstances: (instances) => Effect.sync(() => listed = instances.length)
      }).pipe(Stream.runCollect, Effect.fork)
      yield* TestClock.adjust("5 seconds")
      expect(listed).toBe(6)
      // Instance a's two shards only.
      expect((yield* creates).sort()).toEqual(["a-s0-replica1", "a-s1-replica1"])
      yield* TestClock.adjust("10 minutes")
      expect(Chunk.size(yield* Fiber.join(fiber))).toBe(6)
    }).pipe(Effect.provide(DcsClient.layerTest({ fleet }))))

  it.effect("interruption stops creating analyses, and every task created was reported", () =>
    Effect.gen(function*() {
      const reported: Array<string> = []
      const fiber = yield* DcsClient.analyzeFleet({
        concurrency: 1,
        onTask: (task) => Effect.sync(() => reported.push(task.taskId))
      }).pipe(Stream.runCollect, Effect.fork)
      yield* TestClock.adjust("3 seconds")
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("10 minutes")
      expect(yield* creates).toHaveLength(2)
      expect(reported).toEqual(["test-task-1", "test-task-2"])
    }).pipe(Effect.provide(DcsClient.layerTest({ fleet }))))

  it.effect("a listing that fails fails the stream; bad input fails before any call", () =>
    Effect.gen(function*() {
      const bad = yield* DcsClient.analyzeFleet({ concurrency: 0 }).pipe(Stream.runCollect, Effect.flip)
      expect(bad).toMatchObject({ _tag: "DcsInvalidRequest", field: "concurrency" })
      expect(yield* calls).toEqual([])
    }).pipe(Effect.provide(DcsClient.layerTest({ fleet }))))
})

describe("InstanceAnalysis.merge (properties)", () => {
  const wireKey = (shard: number) =>
    fc.record({
      key: fc.string({ maxLength: 6 }).map((k) => `s${shard}:${k}`),
      type: fc.constantFrom("string", "hash"),
      bytes: fc.nat(1_000_000)
    })
  const shardReport = (shard: number) =>
    fc.record({
      largest_keys: fc.uniqueArray(wireKey(shard), { selector: (k) => k.key, maxLength: 8 }),
      largest_key_prefixes: fc.array(
        fc.record({
          key_prefix: fc.constantFrom("a:", "b:", "c:"),
          type: fc.constantFrom("string", "hash"),
          bytes: fc.nat(1000),
          num: fc.nat(1000)
        }),
        { maxLength: 5 }
      ),
      type_bytes: fc.uniqueArray(fc.record({ type: fc.constantFrom("string", "hash", "list"), bytes: fc.nat(1000) }), {
        selector: (t) => t.type
      }),
      type_num: fc.uniqueArray(fc.record({ type: fc.constantFrom("string", "hash", "list"), num: fc.nat(1000) }), {
        selector: (t) => t.type
      }),
      total_bytes: fc.nat(1_000_000_000),
      total_num: fc.nat(1_000_000)
    })
  const reports = fc.integer({ min: 1, max: 6 }).chain((n) =>
    fc.tuple(...Array.from({ length: n }, (_, s) => shardReport(s)))
  )
  const decode = Schema.decodeUnknownSync(OfflineKeyAnalysis.OfflineKeyAnalysisReport)
  const record = new OfflineKeyAnalysis.OfflineKeyAnalysisRecord({
    id: "t",
    status: "success",
    createdAt: OfflineKeyAnalysis.UtcTime.pipe(Schema.decodeSync)("2024-10-15T02:21:18.669Z"),
    startedAt: Option.none(),
    finishedAt: Option.none()
  })
  const nodes = DcsClientTest.makeNodes("c", { shards: 6, replicas: 0 })
  const analyse = (wire: ReadonlyArray<unknown>) =>
    InstanceAnalysis.merge(
      "c",
      wire.map((report, s) =>
        new InstanceAnalysis.NodeAnalysis({ node: nodes[s]!, task: record, report: decode(report), attached: false })
      )
    )

  it.prop("totals, per-type sums and prefix sums equal the sums of the shards", [reports], ([wire]) => {
    const merged = analyse(wire)
    expect(merged.totalBytes).toBe(wire.reduce((sum, r) => sum + r.total_bytes, 0))
    expect(merged.totalNum).toBe(wire.reduce((sum, r) => sum + r.total_num, 0))
    for (const type of ["string", "hash", "list"]) {
      const bytes = wire.flatMap((r) => r.type_bytes).filter((t) => t.type === type).reduce((s, t) => s + t.bytes, 0)
      expect(merged.typeBytes.find((t) => t.type === type)?.bytes ?? 0).toBe(bytes)
    }
    const prefixes = wire.flatMap((r) => r.largest_key_prefixes)
    expect(merged.largestKeyPrefixes.reduce((s, p) => s + p.bytes, 0)).toBe(prefixes.reduce((s, p) => s + p.bytes, 0))
    expect(new Set(merged.largestKeyPrefixes.map((p) => `${p.keyPrefix}/${p.type}`)).size).toBe(
      merged.largestKeyPrefixes.length
    )
  })

  it.prop(
    "largest keys: every shard's keys, each once, biggest first, with its node and shard",
    [reports],
    ([wire]) => {
      const merged = analyse(wire)
      const all = wire.flatMap((r) => r.largest_keys)
      expect(merged.largestKeys.map((k) => k.key).sort()).toEqual(all.map((k) => k.key).sort())
      expect(new Set(merged.largestKeys.map((k) => k.key)).size).toBe(merged.largestKeys.length)
      for (let i = 1; i < merged.largestKeys.length; i++) {
        expect(merged.largestKeys[i - 1]!.bytes).toBeGreaterThanOrEqual(merged.largestKeys[i]!.bytes)
      }
      for (const key of merged.largestKeys) {
        const shard = Number(key.key.slice(1, key.key.indexOf(":")))
        expect([key.nodeId, key.shard]).toEqual([`c-s${shard}-master`, `group-${shard}`])
      }
    }
  )
})

describe("the rate limit", () => {
  it.effect("at most `requests` per window, shared by concurrent fibers, on the TestClock", () =>
    Effect.gen(function*() {
      const acquire = rateLimit.make(5, Duration.seconds(1))
      const times: Array<number> = []
      const fiber = yield* Effect.forEach(
        Array.from({ length: 12 }),
        () =>
          Effect.zipRight(
            acquire,
            Effect.flatMap(TestClock.currentTimeMillis, (now) => Effect.sync(() => times.push(now)))
          ),
        { concurrency: "unbounded" }
      ).pipe(Effect.fork)
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(fiber)
      expect(times.sort((x, y) => x - y)).toEqual([0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000, 2000, 2000])
      // In any window of one second, at most 5.
      for (const t of times) expect(times.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(5)
    }))
})
