/**
 * Waiting for an analysis and running one end to end, over the public operations of the service
 * (so every layer waits the same way).
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type { AnalyzeKeysRequest, Service, WaitForOfflineKeyAnalysisTaskRequest } from "../DcsClient.js"
import { DcsAnalysisFailed, DcsWaitTimeout } from "../DcsError.js"
import { isFinished, type OfflineKeyAnalysisRecord, statusToString } from "../OfflineKeyAnalysis.js"
import * as validateRequest from "./request.js"
import { validated } from "./request.js"
import { withSpan } from "./spans.js"

type Resource = Pick<
  Service,
  "streamOfflineKeyAnalysisTasks" | "createOfflineKeyAnalysis" | "showOfflineKeyAnalysisTask"
>

/** @internal */
export const make = (
  resource: Resource
): Pick<Service, "waitForOfflineKeyAnalysisTask" | "analyzeKeys"> => {
  // The task's status comes only from the list (the report has none). The newest tasks come
  // first, so a task just created is on the first page.
  const findTask = (valid: validateRequest.TaskInput) =>
    resource.streamOfflineKeyAnalysisTasks({ instanceId: valid.instanceId }).pipe(
      Stream.filter((record) => record.id === valid.taskId),
      Stream.runHead
    )

  const waitForOfflineKeyAnalysisTask = (request: WaitForOfflineKeyAnalysisTaskRequest) =>
    validated(
      Either.all({ task: validateRequest.task(request), wait: validateRequest.wait(request) }),
      ({ task, wait }) =>
        Effect.gen(function*() {
          const started = yield* Clock.currentTimeMillis
          // The task as last seen in the list (it may not be listed yet right after create).
          const lastSeen = yield* Ref.make(Option.none<OfflineKeyAnalysisRecord>())
          const look = Effect.tap(findTask(task), (found) =>
            Option.isSome(found) ? Ref.set(lastSeen, found) : Effect.void)
          yield* Effect.repeat(look, {
            schedule: wait.schedule,
            until: (found) =>
              Option.isSome(found) && isFinished(found.value.status)
          }).pipe(Effect.timeoutOption(wait.timeout))
          const last = yield* Ref.get(lastSeen)
          if (Option.isNone(last) || !isFinished(last.value.status)) {
            const now = yield* Clock.currentTimeMillis
            return yield* new DcsWaitTimeout({
              instanceId: task.instanceId,
              taskId: task.taskId,
              waitedMillis: now - started,
              lastStatus: Option.getOrUndefined(Option.map(last, (record) => statusToString(record.status)))
            })
          }
          if (last.value.status === "failed") {
            return yield* new DcsAnalysisFailed({ instanceId: task.instanceId, taskId: task.taskId })
          }
          return last.value
        })
    ).pipe(withSpan("DcsClient.waitForOfflineKeyAnalysisTask", request))

  const analyzeKeys = (request: AnalyzeKeysRequest) =>
    validated(validateRequest.create(request), (valid) =>
      Effect.gen(function*() {
        const taskId = yield* resource.createOfflineKeyAnalysis(valid)
        const task = yield* waitForOfflineKeyAnalysisTask({ ...request, taskId })
        const report = yield* resource.showOfflineKeyAnalysisTask({ instanceId: valid.instanceId, taskId })
        return { task, report }
      })).pipe(withSpan("DcsClient.analyzeKeys", request))

  return { waitForOfflineKeyAnalysisTask, analyzeKeys }
}
