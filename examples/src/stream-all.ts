/**
 * Example 2: stream every task to the end, counting by status.
 *
 *   pnpm --filter @effect-dcs/examples stream-all
 */
import { DcsClient, OfflineKeyAnalysis } from "@effect-dcs/core"
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, HashMap, Option, Stream } from "effect"
import * as Target from "./target.js"

const program = Effect.gen(function*() {
  const { instanceId } = yield* Target.Target
  const counts = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId, pageSize: 200 }).pipe(
    Stream.runFold(HashMap.empty<string, number>(), (counts, task) => {
      // Exhaustive: a status the service adds later is handled, not silently mixed in.
      const key = typeof task.status === "string" ? task.status : `unrecognized:${task.status.status}`
      return HashMap.modifyAt(counts, key, (count) => Option.some(Option.getOrElse(count, () => 0) + 1))
    })
  )
  for (const [status, count] of HashMap.toEntries(counts).sort(([, a], [, b]) => b - a)) {
    yield* Console.log(`${status.padEnd(10)} ${count}`)
  }
  const finished = HashMap.reduce(
    counts,
    0,
    (sum, count, status) => OfflineKeyAnalysis.isFinished(status as OfflineKeyAnalysis.TaskStatus) ? sum + count : sum
  )
  yield* Console.log(`${finished} finished tasks`)
})

program.pipe(Effect.provide(Target.layer({ emulatorTasks: 1234 })), NodeRuntime.runMain)
