/**
 * Decoded records for tests of the client.
 */
import { DateTime, Option } from "effect"
import {
  OfflineKeyAnalysisRecord,
  type OfflineKeyAnalysisStatus,
  type TaskStatus
} from "../../src/OfflineKeyAnalysis.js"

const statuses: ReadonlyArray<OfflineKeyAnalysisStatus> = ["waiting", "running", "success", "failed"]

/** Task number `i`: a distinct id, a status cycling through the four, times a second apart. */
export const task = (i: number, status: TaskStatus = statuses[i % statuses.length]!): OfflineKeyAnalysisRecord => {
  const created = DateTime.unsafeMake(Date.UTC(2024, 9, 15, 2, 0, 0) + i * 1000)
  return new OfflineKeyAnalysisRecord({
    id: `task-${String(i).padStart(4, "0")}`,
    status,
    createdAt: created,
    startedAt: status === "waiting" ? Option.none() : Option.some(DateTime.add(created, { millis: 500 })),
    finishedAt: status === "success" || status === "failed"
      ? Option.some(DateTime.add(created, { seconds: 2 }))
      : Option.none()
  })
}

export const tasksOf = (n: number, from = 0): Array<OfflineKeyAnalysisRecord> =>
  Array.from({ length: n }, (_, i) => task(from + i))
