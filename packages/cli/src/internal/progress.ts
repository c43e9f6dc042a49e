/**
 * Progress on stderr while the tool waits, so that stdout carries nothing but the result.
 *
 * - Paging (`list --all`): `records / total` redrawn in place, only when stderr is a terminal.
 * - Waiting for an analysis: on a terminal, the status and the time waited, redrawn every
 *   second; elsewhere (a log, a CI job) one line per change of status.
 *
 * @since 0.1.0
 */
import * as DcsClient from "@effect-dcs/core/DcsClient"
import type { DcsAnalysisFailed, DcsError, DcsWaitTimeout } from "@effect-dcs/core/DcsError"
import { OfflineKeyAnalysisRecord, statusToString } from "@effect-dcs/core/OfflineKeyAnalysis"
import * as Clock from "effect/Clock"
import * as Console from "effect/Console"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import { duration } from "./format.js"
import { statusLine, stderrIsTerminal } from "./terminal.js"

/** The progress of a listing: call `page` after printing each page, `done` at the end. */
export interface PageProgress {
  /** Before printing a page: takes the status line away, so that the output is not mixed with it. */
  readonly beforePage: Effect.Effect<void>
  /** After printing a page. */
  readonly afterPage: (seen: number, total: number) => Effect.Effect<void>
  readonly done: Effect.Effect<void>
}

/** `records / total` on stderr, redrawn in place, when stderr is a terminal; nothing otherwise. */
export const pageProgress = (): PageProgress => {
  const line = statusLine()
  return {
    beforePage: line.clear,
    afterPage: (seen, total) => line.show(`${seen} / ${total} tasks`),
    done: line.clear
  }
}

// The waiter's schedule sees what each look at the list found: `Option<record>`. Anything else
// (a future version of the waiter) only means no status is shown.
const statusOfInput = (input: unknown): Option.Option<string> =>
  Option.isOption(input) && Option.isSome(input) && input.value instanceof OfflineKeyAnalysisRecord
    ? Option.some(statusToString(input.value.status))
    : Option.none()

/**
 * Waits for a task as `waitForOfflineKeyAnalysisTask` does, showing its progress on stderr.
 * Answers the finished task. Interrupted (Ctrl+C), it says how to wait again: the analysis goes
 * on on the service.
 */
export const waitForTask = (request: {
  readonly instanceId: string
  readonly taskId: string
  readonly timeout: Option.Option<Duration.Duration>
}): Effect.Effect<OfflineKeyAnalysisRecord, DcsError | DcsAnalysisFailed | DcsWaitTimeout, DcsClient.DcsClient> =>
  Effect.gen(function*() {
    const { instanceId, taskId } = request
    const terminal = stderrIsTerminal()
    const line = statusLine()
    const started = yield* Clock.currentTimeMillis
    let status = "not listed yet"

    const draw = Effect.flatMap(
      Clock.currentTimeMillis,
      (now) => line.show(`task ${taskId}: ${status}, ${duration(now - started)}`)
    )
    const seen = (input: unknown) =>
      Option.match(statusOfInput(input), {
        onNone: () => Effect.void,
        onSome: (next) => {
          // The end state is reported once the wait is over.
          if (next === status || next === "success" || next === "failed") return Effect.void
          status = next
          return terminal ? draw : Console.error(`task ${taskId}: ${next}`)
        }
      })

    const schedule = DcsClient.defaultWaitSchedule.pipe(Schedule.tapInput(seen))
    const ticker = terminal
      ? Effect.forkScoped(Effect.repeat(draw, Schedule.spaced("1 second")))
      : Effect.void

    const record = yield* Effect.scoped(
      Effect.zipRight(
        ticker,
        DcsClient.waitForOfflineKeyAnalysisTask({
          instanceId,
          taskId,
          schedule,
          timeout: Option.getOrUndefined(request.timeout)
        })
      )
    ).pipe(
      Effect.ensuring(line.clear),
      Effect.onInterrupt(() =>
        Console.error(
          `interrupted: the analysis goes on on the service; wait again with \`wait ${instanceId} ${taskId}\``
        )
      )
    )
    const now = yield* Clock.currentTimeMillis
    yield* Console.error(`task ${taskId}: ${statusToString(record.status)} (waited ${duration(now - started)})`)
    return record
  })
