/**
 * A user's own program, used by examples 4 and 5: the tasks of an instance that have been
 * waiting or running for longer than a threshold.
 */
import { DcsClient, type OfflineKeyAnalysis } from "@effect-dcs/core"
import { Chunk, DateTime, Duration, Effect, Stream } from "effect"

export const findStuckTasks = (instanceId: string, threshold: Duration.DurationInput) =>
  Effect.gen(function*() {
    const now = yield* DateTime.now
    const limit = Duration.toMillis(threshold)
    const isStuck = (task: OfflineKeyAnalysis.OfflineKeyAnalysisRecord) =>
      (task.status === "waiting" || task.status === "running") &&
      DateTime.distance(task.createdAt, now) > limit
    const stuck = yield* DcsClient.streamOfflineKeyAnalysisTasks({ instanceId }).pipe(
      Stream.filter(isStuck),
      Stream.runCollect
    )
    return Chunk.toReadonlyArray(stuck)
  })
