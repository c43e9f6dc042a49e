/**
 * Example 4: unit-test your own program with `DcsClient.layerTest`: no network, no account.
 */
import { DcsClient, DcsError, OfflineKeyAnalysis } from "@effect-dcs/core"
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Option, TestClock } from "effect"
import { findStuckTasks } from "../src/stuck-tasks.js"

const task = (id: string, status: OfflineKeyAnalysis.TaskStatus, createdAt: string) =>
  new OfflineKeyAnalysis.OfflineKeyAnalysisRecord({
    id,
    status,
    createdAt: DateTime.unsafeMake(createdAt),
    startedAt: Option.none(),
    finishedAt: Option.none()
  })

const tasks = [
  task("new-waiting", "waiting", "2024-10-15T02:00:00Z"),
  task("old-running", "running", "2024-10-15T00:00:00Z"),
  task("old-success", "success", "2024-10-14T00:00:00Z"),
  task("old-waiting", "waiting", "2024-10-14T00:00:00Z")
]

describe("findStuckTasks", () => {
  it.effect("finds the tasks waiting or running for more than an hour", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2024-10-15T02:30:00Z"))
      const stuck = yield* findStuckTasks("my-instance", "1 hour")
      expect(stuck.map((t) => t.id)).toEqual(["old-running", "old-waiting"])
    }).pipe(Effect.provide(DcsClient.layerTest({ tasks }))))

  it.effect("reads the whole list, page after page", () =>
    Effect.gen(function*() {
      const test = yield* DcsClient.TestClient
      yield* findStuckTasks("my-instance", "1 hour")
      const calls = yield* test.calls
      const pages = calls.flatMap((call) => call.operation === "listOfflineKeyAnalysisTasks" ? [call.query] : [])
      expect(pages.map((query) => [query.offset, query.limit])).toEqual([[0, 100]])
    }).pipe(Effect.provide(DcsClient.layerTest({ tasks }))))

  it.effect("passes the service's errors through, typed", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(findStuckTasks("redis-3", "1 hour"))
      expect(error._tag).toBe("DcsBadRequest")
    }).pipe(Effect.provide(DcsClient.layerTest({
      tasks,
      failWith: () =>
        new DcsError.DcsBadRequest({
          status: 400,
          errorCode: "DCS.4230",
          errorMsg: "Does not support offline key analysis."
        })
    }))))
})
