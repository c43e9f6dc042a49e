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
import type {
  AnalysisResult,
  AnalysisTask,
  AnalyzeKeysRequest,
  Service,
  WaitForOfflineKeyAnalysisTaskRequest
} from "../DcsClient.js"
import { DcsAnalysisFailed, DcsWaitTimeout, withIds } from "../DcsError.js"
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
  const waitForOfflineKeyAnalysisTask = (request: WaitForOfflineKeyAnalysisTaskRequest) =>
    validated(
      Either.all({ task: validateRequest.task(request), wait: validateRequest.wait(request) }),
      ({ task, wait }) =>
        Effect.gen(function*() {
          const callOptions = { retry: request.retry }
          // The task's status comes only from the list (the report has none). The newest tasks
          // come first, so a task just created is on the first page.
          const findTask = resource.streamOfflineKeyAnalysisTasks({ instanceId: task.instanceId, ...callOptions }).pipe(
            Stream.filter((record) => record.id === task.taskId),
            Stream.runHead
          )
          // A task the list does not show may be one just created that the list does not show
          // yet, or one that does not exist (a typo, a deleted task): show tells them apart, as
          // it answers DCS.4232 (DcsTaskNotFound) for the latter, which then ends the wait.
          const exists = Effect.asVoid(
            resource.showOfflineKeyAnalysisTask({ instanceId: task.instanceId, taskId: task.taskId, ...callOptions })
          )
          const started = yield* Clock.currentTimeMillis
          // The task as last seen in the list.
          const lastSeen = yield* Ref.make(Option.none<OfflineKeyAnalysisRecord>())
          const look = Effect.tap(findTask, (found) => Option.isSome(found) ? Ref.set(lastSeen, found) : exists)
          yield* Effect.repeat(look, {
            schedule: wait.schedule,
            until: (found) => Option.isSome(found) && isFinished(found.value.status)
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
    validated(
      Either.all({ valid: validateRequest.create(request), analysis: validateRequest.analysis(request) }),
      ({ analysis, valid }) =>
        Effect.uninterruptibleMask((restore) =>
          Effect.gen(function*() {
            // Create (or attach) and report the task's id without interruption: a task created by
            // a request whose answer an interruption dropped would run with nobody knowing its id.
            const started = yield* resource.createOfflineKeyAnalysis({ ...valid, retry: request.retry }).pipe(
              Effect.map((taskId) => ({ taskId, attached: false })),
              Effect.catchTag("DcsAnalysisAlreadyRunning", (error) =>
                analysis.onAlreadyRunning === "attach" && valid.backupId === undefined &&
                  error.runningTaskId !== undefined
                  ? Effect.succeed({ taskId: error.runningTaskId, attached: true })
                  : Effect.fail(error))
            )
            const task: AnalysisTask = { instanceId: valid.instanceId, nodeId: valid.nodeId, ...started }
            yield* Effect.logDebug(
              `DcsClient: ${task.attached ? "attached to" : "created"} offline key analysis task ${task.taskId}`
            )
            if (request.onTask !== undefined) yield* request.onTask(task)
            return yield* restore(
              Effect.gen(function*() {
                const record = yield* waitForOfflineKeyAnalysisTask({ ...request, taskId: task.taskId })
                const report = yield* resource.showOfflineKeyAnalysisTask({
                  instanceId: valid.instanceId,
                  taskId: task.taskId,
                  retry: request.retry
                })
                const result: AnalysisResult = { task: record, report, attached: task.attached }
                return result
              })
            ).pipe(
              // Every failure after this point names the task, which goes on in the service.
              Effect.mapError((error) =>
                error._tag === "DcsAnalysisFailed" || error._tag === "DcsWaitTimeout"
                  ? error
                  : withIds(error, { instanceId: valid.instanceId, taskId: task.taskId })
              ),
              Effect.onInterrupt(() =>
                Effect.logInfo(
                  `DcsClient: interrupted while waiting for offline key analysis task ${task.taskId} of instance ${task.instanceId} (node ${task.nodeId}); the task goes on in the service`
                ).pipe(Effect.annotateLogs({ instanceId: task.instanceId, nodeId: task.nodeId, taskId: task.taskId }))
              )
            )
          })
        )
    ).pipe(withSpan("DcsClient.analyzeKeys", request))

  return { waitForOfflineKeyAnalysisTask, analyzeKeys }
}
