/**
 * Example 5: integration-test your program against the local emulator: real HTTP, real AK/SK
 * signatures, real paging, on loopback.
 */
import { DcsEmulator, NodeDcsClient } from "@effect-dcs/node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { findStuckTasks } from "../src/stuck-tasks.js"

const Emulator = DcsEmulator.layer({
  instances: [{
    id: "my-instance",
    tasks: [
      ...DcsEmulator.generateTasks(250, { now: Date.parse("2024-10-15T00:00:00Z") }),
      { id: "stuck", status: "running", created_at: "2024-10-01T00:00:00Z", started_at: "2024-10-01T00:00:05Z" }
    ]
  }]
})

// The client, pointed at the emulator the test started.
const Client = Layer.unwrapEffect(Effect.map(DcsEmulator.DcsEmulator, (emulator) =>
  NodeDcsClient.layer({
    endpoint: emulator.url,
    projectId: emulator.projectId,
    credentials: emulator.credentials
  })))

describe("findStuckTasks against the emulator", () => {
  it.live("finds the stuck task among 251, paging through the real API", () =>
    Effect.gen(function*() {
      const stuck = yield* findStuckTasks("my-instance", "1 day")
      expect(stuck.map((t) => t.id)).toContain("stuck")
      const emulator = yield* DcsEmulator.DcsEmulator
      const requests = yield* emulator.requests
      expect(requests.length).toBe(3) // 251 tasks, pages of 100
      expect(requests.every((r) => r.status === 200)).toBe(true)
    }).pipe(Effect.provide(Layer.provideMerge(Client, Emulator))))

  it.live("survives a flaky gateway: a 503 and a dropped connection are retried", () =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.DcsEmulator
      yield* emulator.injectFaults({ _tag: "Status", status: 503, retryAfter: "0" }, { _tag: "Drop" })
      const stuck = yield* findStuckTasks("my-instance", "1 day")
      expect(stuck.map((t) => t.id)).toContain("stuck")
    }).pipe(Effect.provide(Layer.provideMerge(Client, Emulator))))
})
