/**
 * The real stack for the resilience suite: `NodeDcsClient.layer` (undici, signing) pointed at a
 * `DcsEmulator` on loopback, plus the waits a test needs to line up the TestClock with real I/O.
 */
import { DcsClient } from "@effect-dcs/core"
import type { DcsError } from "@effect-dcs/core/DcsError"
import { Chunk, Clock, Effect, Either, Layer, Schedule, Stream, TestClock } from "effect"
import * as DcsEmulator from "../../src/DcsEmulator.js"
import * as NodeDcsClient from "../../src/NodeDcsClient.js"
import { eventually, INSTANCE, realTick } from "./common.js"

export type Emulator = DcsEmulator.DcsEmulator["Type"]

export { eventually, INSTANCE, settle } from "./common.js"
/** 57 tasks: six pages of 10, the last one short. */
export const TASKS = DcsEmulator.generateTasks(57)
export const TASK_IDS: ReadonlyArray<string> = TASKS.map((task) => task.id)

export const emulatorLayer = (options: DcsEmulator.Options = {}) =>
  DcsEmulator.layer({ instances: [{ id: INSTANCE, tasks: TASKS }], ...options })

/** The live client pointed at the emulator in context, with its defaults and the given options. */
export const liveClientLayer = (options: Partial<NodeDcsClient.Options> = {}) =>
  Layer.unwrapEffect(Effect.map(DcsEmulator.DcsEmulator, (emulator) =>
    NodeDcsClient.layer({
      endpoint: emulator.url,
      projectId: emulator.projectId,
      credentials: emulator.credentials,
      ...options
    })))

/**
 * The live client pointed at the emulator in context. Retries default to `Schedule.recurs(3)`:
 * immediate retries, so a test needs no clock unless it is about time; the timeout defaults to an
 * hour, so that the timeouts of past attempts never pass for the retry sleeps a test waits for.
 */
export const clientLayer = (options: Partial<NodeDcsClient.Options> = {}) =>
  liveClientLayer({ retry: Schedule.recurs(3), timeout: "1 hour", ...options })

/** The emulator and the client on it, both in context. */
export const withEmulator = (client: Partial<NodeDcsClient.Options> = {}, emulator: DcsEmulator.Options = {}) =>
  Layer.provideMerge(clientLayer(client), emulatorLayer(emulator))

export const awaitRequests = (
  emulator: Emulator,
  until: (requests: ReadonlyArray<DcsEmulator.RecordedRequest>) => boolean,
  what = "the emulator's requests"
) => eventually(emulator.requests, until, what)

/** Waits until the emulator has answered (or dropped/stalled) `count` requests. */
export const awaitAnswered = (emulator: Emulator, count: number) =>
  awaitRequests(
    emulator,
    (requests) =>
      requests.length >= count &&
      requests.slice(0, count).every((r) => r.status !== undefined || r.fault === "Drop" || r.fault === "Stall"),
    `${count} answered request(s)`
  )

/**
 * Waits until a fiber sleeps on the TestClock until a time in (now, now + withinMillis], and
 * returns the earliest such wake-up time. Sleeps further out (an attempt's timeout) are ignored.
 */
export const awaitWakeUp = (withinMillis: number) =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const wakeUps = yield* eventually(
      Effect.map(TestClock.sleeps(), (sleeps) =>
        Chunk.toReadonlyArray(sleeps).filter((at) => at > now && at <= now + withinMillis)),
      (found) =>
        found.length > 0,
      `a sleep within ${withinMillis} ms`
    )
    return Math.min(...wakeUps)
  })

/** Whether a fiber sleeps until exactly `at` on the TestClock. */
export const sleepsUntil = (at: number) =>
  Effect.map(TestClock.sleeps(), (sleeps) => Chunk.toReadonlyArray(sleeps).includes(at))

/** Runs a stream to its end or its first failure, keeping what was emitted before the failure. */
export const collectUntilFailure = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.gen(function*() {
    const items: Array<A> = []
    const outcome = yield* Stream.runForEach(stream, (item) => Effect.sync(() => items.push(item))).pipe(Effect.either)
    return { items, error: Either.isLeft(outcome) ? outcome.left : undefined }
  })

/** More requests than any correct stream of these tests needs, by far. */
export const MAX_STREAM_REQUESTS = 200

/**
 * Fails (a defect naming the bound) as soon as the emulator has seen more than `max` requests;
 * runs until then. Raced against a stream, it turns a stream that never ends into a failure.
 */
const requestBudget = (max: number) =>
  Effect.gen(function*() {
    const emulator = yield* DcsEmulator.DcsEmulator
    for (;;) {
      const count = (yield* emulator.requests).length
      if (count > max) return yield* Effect.dieMessage(`the stream sent more than ${max} requests: it does not end`)
      yield* realTick
    }
  })

/**
 * The ids of every task of the emulator's instance, in the service's order. A stream that does
 * not end (a paging bug) fails the test after 200 records or 200 requests instead of hanging it.
 */
export const streamedIds = (request: Partial<DcsClient.StreamOfflineKeyAnalysisTasksRequest> = {}) =>
  DcsClient.streamOfflineKeyAnalysisTasks({ instanceId: INSTANCE, pageSize: 10, ...request }).pipe(
    Stream.map((record) => record.id),
    Stream.take(MAX_STREAM_REQUESTS),
    Stream.runCollect,
    Effect.map(Chunk.toReadonlyArray),
    Effect.raceFirst(requestBudget(MAX_STREAM_REQUESTS))
  )

/** The ids of the emulator's tasks (default instance), as it lists them: what a stream must yield. */
export const idsOf = (emulator: Emulator): Effect.Effect<ReadonlyArray<string>> =>
  Effect.map(emulator.tasks(), (tasks) => tasks.map((task) => task.id))

/** The decoded query of a recorded request. */
export const queryOf = (request: DcsEmulator.RecordedRequest): URLSearchParams => new URLSearchParams(request.query)

/** A fault filter: list requests at this offset. */
export const atOffset = (offset: number) => (request: DcsEmulator.FaultRequest): boolean =>
  new URLSearchParams(request.query).get("offset") === String(offset)

/** Every `X-Request-Id`, status, timestamp… of a list of recorded requests, for messages. */
export const describeRequests = (requests: ReadonlyArray<DcsEmulator.RecordedRequest>): string =>
  requests.map((r) => `${r.query} → ${r.status ?? r.fault}`).join("; ")

export type { DcsError }
