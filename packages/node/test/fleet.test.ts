/**
 * The fleet operations of the live layer (`NodeDcsClient`: undici, signing, retries) against the
 * real emulator on loopback and its seeded fleet: instances and their filters over capped pages,
 * logical nodes, an instance analysed shard by shard, a whole fleet analysed under throttling,
 * attaching to a running analysis, and a wait on a task that does not exist.
 *
 * Analyses take tens of milliseconds on the live clock; nothing here asserts a duration.
 */
import { DcsClient, Fleet } from "@effect-dcs/core"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Schedule, Schema, Stream } from "effect"
import * as DcsEmulator from "../src/DcsEmulator.js"
import { clientLayer, emulatorLayer } from "./support/harness.js"

const fleet = DcsEmulator.generateFleet({ seed: 1, size: 20 })
const at = (index: number) => fleet[index]!

// Short analyses and looks every few milliseconds: the emulator runs on the live clock here.
const quickAnalyses = { waitingFor: "20 millis", runningFor: "30 millis" } as const
const fastWait = { schedule: Schedule.spaced("10 millis") }
// Throttling waited out with backoff and jitter; a Retry-After (at least 1 s) is honoured.
const fastRetry = Schedule.exponential("10 millis").pipe(Schedule.jittered, Schedule.upTo("60 seconds"))

const withFleet = (options: DcsEmulator.Options = {}) =>
  Layer.provideMerge(
    clientLayer({ retry: fastRetry }),
    emulatorLayer({ instances: fleet, analysis: quickAnalyses, ...options })
  )

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** What analyzeFleet must answer for an instance of the definition. */
const expectedOutcome = (instance: DcsEmulator.Instance): Fleet.FleetOutcome["_tag"] => {
  if (instance.engine === "Memcached" || instance.engineVersion?.startsWith("3.")) return "Unsupported"
  return instance.status === "RUNNING" ? "Analyzed" : "Skipped"
}

/** The biggest key of an instance of the definition: the biggest of its shards' replicas (or masters). */
const definedBiggestKey = (instance: DcsEmulator.Instance) => {
  const keys = instance.nodes!.filter((node) => node.role !== "proxy" && node.report !== undefined)
    .flatMap((node) => node.report!.largest_keys.map((key) => ({ ...key, shard: node.groupName })))
  return keys.sort((x, y) => y.bytes - x.bytes)[0]
}

describe("live fleet: instances", () => {
  it.scopedLive("listInstances: the filters name (fuzzy, exact), status and tags select what the definition says", () =>
    Effect.gen(function*() {
      const all = yield* DcsClient.listInstances({ limit: 1000 })
      expect(all.total).toBe(fleet.length)
      expect(all.instances.map((i) => i.id)).toEqual(fleet.map((i) => i.id))

      const running = yield* DcsClient.listInstances({ status: "RUNNING", limit: 1000 })
      expect(running.instances.map((i) => i.id)).toEqual(fleet.filter((i) => i.status === "RUNNING").map((i) => i.id))
      expect(running.total).toBe(running.instances.length)

      const cluster = at(1)
      const exact = yield* DcsClient.listInstances({ name: cluster.name!, nameEqual: true })
      expect(exact.instances.map((i) => i.id)).toEqual([cluster.id])
      const fragment = cluster.name!.slice(0, 4)
      const fuzzy = yield* DcsClient.listInstances({ name: fragment, limit: 1000 })
      expect(fuzzy.instances.map((i) => i.id)).toEqual(
        fleet.filter((i) => i.name!.includes(fragment)).map((i) => i.id)
      )
      const inexact = yield* DcsClient.listInstances({ name: fragment, nameEqual: true })
      expect(inexact.instances).toEqual([])

      const [tagKey, tagValue] = Object.entries(cluster.tags ?? {})[0]!
      const tagged = yield* DcsClient.listInstances({ tags: { [tagKey]: tagValue }, limit: 1000 })
      expect(tagged.instances.map((i) => i.id)).toEqual(
        fleet.filter((i) => i.tags?.[tagKey] === tagValue).map((i) => i.id)
      )
      expect(tagged.instances.map((i) => i.id)).toContain(cluster.id)
      for (const instance of tagged.instances) {
        expect(instance.tags).toContainEqual(expect.objectContaining({ key: tagKey, value: tagValue }))
      }
    }).pipe(Effect.provide(withFleet())))

  it.scopedLive("streamInstances: every instance once over pages the server caps below the size asked", () =>
    Effect.gen(function*() {
      const pages = yield* collect(DcsClient.streamInstancePages({ pageSize: 10 }))
      // The server sends 3 per page whatever the limit: the stream advances by what came.
      expect(pages.map((page) => page.instances.length)).toEqual([3, 3, 3, 3, 3, 3, 2])
      const streamed = yield* collect(DcsClient.streamInstances({ pageSize: 10 }))
      expect(streamed.map((i) => i.id)).toEqual(fleet.map((i) => i.id))
      const running = yield* collect(DcsClient.streamInstances({ status: "RUNNING", pageSize: 4, concurrency: 3 }))
      expect(running.map((i) => i.id)).toEqual(fleet.filter((i) => i.status === "RUNNING").map((i) => i.id))
    }).pipe(Effect.provide(withFleet({ faults: { maxInstancesPerPage: 3 } }))))

  it.scopedLive("listInstanceNodes: masters, replicas and proxies with their shards, as defined", () =>
    Effect.gen(function*() {
      for (const instance of [at(0), at(1), at(3)]) {
        const nodes = yield* DcsClient.listInstanceNodes({ instanceId: instance.id })
        expect(
          nodes.map((node) => [node.nodeId, node.nodeType, node.groupName._tag === "Some" ? node.groupName.value : ""])
        )
          .toEqual(
            expect.arrayContaining(
              instance.nodes!.map((
                node
              ) => [node.id, node.role, node.role === "proxy" ? expect.anything() : node.groupName])
            )
          )
        expect(nodes).toHaveLength(instance.nodes!.length)
      }
      expect(new Set((yield* DcsClient.listInstanceNodes({ instanceId: at(3).id })).map((n) => n.nodeType))).toEqual(
        new Set(["master", "slave", "proxy"])
      )
    }).pipe(Effect.provide(withFleet())))
})

describe("live fleet: analyses", () => {
  it.scopedLive("analyzeInstance: a cluster analysed shard by shard on replicas; its largest key from its second shard", () =>
    Effect.gen(function*() {
      const cluster = at(1)
      const replicas = cluster.nodes!.filter((node) => node.role === "slave")
      const analysis = yield* DcsClient.analyzeInstance({ instanceId: cluster.id, ...fastWait })
      expect(analysis.instanceId).toBe(cluster.id)
      expect(analysis.nodes.map((n) => n.node.nodeId).sort()).toEqual(replicas.map((node) => node.id).sort())
      expect(analysis.nodes.every((n) => !n.attached && n.task.status === "success")).toBe(true)
      const biggest = analysis.largestKeys[0]!
      expect(biggest.shard).toBe("group-1")
      expect(biggest.key).toBe(definedBiggestKey(cluster)!.key)
      expect(biggest.bytes).toBe(definedBiggestKey(cluster)!.bytes)
      expect(biggest.nodeId).toBe(replicas.find((node) => node.groupName === "group-1")!.id)
      // Merged: sorted by bytes across shards, totals summed.
      const bytes = analysis.largestKeys.map((key) => key.bytes)
      expect(bytes).toEqual([...bytes].sort((x, y) => y - x))
      expect(analysis.totalBytes).toBe(replicas.reduce((sum, node) => sum + node.report!.total_bytes, 0))
      expect(analysis.totalNum).toBe(replicas.reduce((sum, node) => sum + node.report!.total_num, 0))
    }).pipe(Effect.provide(withFleet())))

  it.scopedLive("analyzeFleet, throttled: no instance Failed; the outcomes are the definition's", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      let total = -1
      const outcomes = yield* collect(
        DcsClient.analyzeFleet({
          concurrency: 6,
          retry: fastRetry,
          ...fastWait,
          onInstances: (instances) => Effect.sync(() => (total = instances.length))
        })
      )
      expect(total).toBe(fleet.length)
      const throttled = (yield* emulator.requests).filter((request) => request.errorCode === "APIGW.0308")
      expect(throttled.length).toBeGreaterThan(0)
      expect(outcomes.filter((outcome) => outcome._tag === "Failed")).toEqual([])
      expect(Object.fromEntries(outcomes.map((outcome) => [outcome.instance.id, outcome._tag]))).toEqual(
        Object.fromEntries(fleet.map((instance) => [instance.id, expectedOutcome(instance)]))
      )
      const counts = { Analyzed: 0, Unsupported: 0, Skipped: 0, Failed: 0 }
      for (const instance of fleet) counts[expectedOutcome(instance)]++
      expect(Fleet.summarizeFleet(outcomes).counts).toEqual(counts)
      expect(counts.Analyzed).toBeGreaterThan(5)
      expect(counts.Unsupported).toBeGreaterThanOrEqual(2)
      expect(counts.Skipped).toBeGreaterThanOrEqual(3)
      for (const outcome of outcomes) {
        if (outcome._tag === "Skipped") {
          expect(outcome.reason).toBe(fleet.find((i) => i.id === outcome.instance.id)!.status)
        }
        if (outcome._tag === "Analyzed") {
          const defined = definedBiggestKey(fleet.find((i) => i.id === outcome.instance.id)!)!
          expect([outcome.analysis.largestKeys[0]!.key, outcome.analysis.largestKeys[0]!.bytes]).toEqual([
            defined.key,
            defined.bytes
          ])
        }
      }
      // Every outcome is Schema-encodable (what `fleet --json` prints).
      for (const outcome of outcomes) {
        expect(() => JSON.stringify(Schema.encodeSync(Fleet.FleetOutcome)(outcome))).not.toThrow()
      }
    }).pipe(
      Effect.provide(withFleet({ throttle: { requestsPerSecond: 40, burst: 8, retryAfter: "alternate" } }))
    ))

  it.scopedLive("attaches to an analysis already running on a node, and says so", () =>
    Effect.gen(function*() {
      const instance = at(0)
      const replica = instance.nodes!.find((node) => node.role === "slave")!
      const running = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: instance.id, nodeId: replica.id })
      const seen: Array<DcsClient.AnalysisTask> = []
      const analysis = yield* DcsClient.analyzeInstance({
        instanceId: instance.id,
        ...fastWait,
        onTask: (task) => Effect.sync(() => seen.push(task))
      })
      expect(seen).toEqual([{ instanceId: instance.id, nodeId: replica.id, taskId: running, attached: true }])
      expect(analysis.nodes.map((n) => [n.node.nodeId, n.task.id, n.attached])).toEqual([[replica.id, running, true]])
      // With "fail", the error names the running task.
      const again = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: instance.id, nodeId: replica.id })
      const error = yield* DcsClient.analyzeInstance({ instanceId: instance.id, onAlreadyRunning: "fail", ...fastWait })
        .pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "DcsAnalysisAlreadyRunning", runningTaskId: again })
    }).pipe(Effect.provide(withFleet({ analysis: { waitingFor: "200 millis", runningFor: "100 millis" } }))))

  it.scopedLive("a wait on a task that does not exist fails at once with DcsTaskNotFound", () =>
    Effect.gen(function*() {
      const error = yield* DcsClient.waitForOfflineKeyAnalysisTask({ instanceId: at(0).id, taskId: "no-such-task" })
        .pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "DcsTaskNotFound", taskId: "no-such-task" })
    }).pipe(Effect.provide(withFleet())))
})
