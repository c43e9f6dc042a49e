/**
 * `latestSuccessfulAnalysis` and `previousSuccessfulAnalysis` through the real stack
 * (`NodeDcsClient` on undici, signed) against a `DcsEmulator` seeded with tasks of two nodes.
 */
import { DcsClient } from "@effect-dcs/core"
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Layer, Option, Schedule } from "effect"
import * as DcsEmulator from "../src/DcsEmulator.js"
import { INSTANCE } from "./support/common.js"
import { clientLayer } from "./support/harness.js"

const tasks = DcsEmulator.generateTasks(40, { seed: 5 })

const withEmulator = Layer.provideMerge(
  clientLayer(),
  DcsEmulator.layer({
    instances: [{ id: INSTANCE, tasks }],
    analysis: { waitingFor: "20 millis", runningFor: "20 millis" }
  })
)

describe("the latest successful analyses through the real HTTP stack", () => {
  it.live("of each node: the newest two successful tasks whose report names the node", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const nodes = yield* emulator.nodes(INSTANCE)
      expect(nodes.length).toBe(2)
      // The oracle: every successful seeded task's node, from Show, newest first.
      const successful = tasks.filter((task) => task.status === "success")
      const nodeOf = new Map<string, string>()
      for (const task of successful) {
        const report = yield* DcsClient.showOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId: task.id })
        nodeOf.set(task.id, Option.getOrThrow(report.nodeId))
      }
      for (const node of nodes) {
        const ofNode = successful.filter((task) => nodeOf.get(task.id) === node.id)
        expect(ofNode.length).toBeGreaterThanOrEqual(2)
        const latest = yield* DcsClient.latestSuccessfulAnalysis({ instanceId: INSTANCE, nodeId: node.id })
        const previous = yield* DcsClient.previousSuccessfulAnalysis({ instanceId: INSTANCE, nodeId: node.id })
        expect([latest.task.id, previous.task.id]).toEqual([ofNode[0]!.id, ofNode[1]!.id])
        expect(Option.getOrThrow(latest.report.nodeId)).toBe(node.id)
        // The instance's data when each finished.
        expect(latest.report.totalBytes).toEqual(
          Option.some(
            DcsEmulator.reportAt(INSTANCE, DateTime.toEpochMillis(Option.getOrThrow(latest.task.finishedAt)))
              .total_bytes
          )
        )
      }
      const anyNode = yield* DcsClient.latestSuccessfulAnalysis({ instanceId: INSTANCE })
      expect(anyNode.task.id).toBe(successful[0]!.id)
    }).pipe(Effect.provide(withEmulator)), { timeout: 30_000 })

  it.live("an analysis just made is the latest of its node; an unknown node has none", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      const [master] = yield* emulator.nodes(INSTANCE)
      const before = yield* DcsClient.latestSuccessfulAnalysis({ instanceId: INSTANCE, nodeId: master!.id })
      const made = yield* DcsClient.analyzeKeys({
        instanceId: INSTANCE,
        nodeId: master!.id,
        schedule: Schedule.spaced("20 millis")
      })
      const latest = yield* DcsClient.latestSuccessfulAnalysis({ instanceId: INSTANCE, nodeId: master!.id })
      const previous = yield* DcsClient.previousSuccessfulAnalysis({ instanceId: INSTANCE, nodeId: master!.id })
      expect(latest.task.id).toBe(made.task.id)
      expect(previous.task.id).toBe(before.task.id)
      const none = yield* Effect.flip(DcsClient.latestSuccessfulAnalysis({ instanceId: INSTANCE, nodeId: "no-node" }))
      expect(none).toMatchObject({ _tag: "DcsNoSuccessfulAnalysis", nodeId: "no-node", found: 0 })
      const unknown = yield* Effect.flip(DcsClient.latestSuccessfulAnalysis({ instanceId: "no-such-instance" }))
      expect(unknown._tag).toBe("DcsNotFound")
    }).pipe(Effect.provide(withEmulator)), { timeout: 30_000 })
})
