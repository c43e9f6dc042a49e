/**
 * The whole offline key analysis resource on `DcsClient.layerTest`: create, show, delete, nodes,
 * the waiter and `analyzeKeys`, with task states that move as the TestClock does (no sleeps).
 */
import { describe, expect, it } from "@effect/vitest"
import { Cause, DateTime, Duration, Effect, Exit, Fiber, Logger, Option, Schedule, Schema, TestClock } from "effect"
import type { DcsClientTest } from "../src/index.js"
import { DcsClient, DcsError, OfflineKeyAnalysis } from "../src/index.js"

const { TestClient } = DcsClient

const INSTANCE = "5f9057b5-c330-4ee2-8138-7e69896eeec3"
const NODE = "node-master"

type Client = DcsClient.DcsClient | DcsClient.TestClient

const calls = Effect.flatMap(TestClient, (client) => client.calls)
const operations = Effect.map(calls, (all) => all.map((call) => call.operation))
const listCalls = Effect.map(operations, (all) => all.filter((op) => op === "listOfflineKeyAnalysisTasks").length)

/** The task as the first page of the list shows it now (undefined when it is not listed). */
const listed = (taskId: string, instanceId = INSTANCE) =>
  Effect.map(
    DcsClient.listOfflineKeyAnalysisTasks({ instanceId, limit: 100 }),
    (page) => page.records.find((record) => record.id === taskId)
  )

const statusOf = (taskId: string) =>
  Effect.map(
    listed(taskId),
    (record) => record === undefined ? undefined : OfflineKeyAnalysis.statusToString(record.status)
  )

const millisOf = (time: Option.Option<DateTime.Utc>) => Option.getOrUndefined(Option.map(time, DateTime.toEpochMillis))

const create = (request: Partial<DcsClient.CreateOfflineKeyAnalysisRequest> = {}) =>
  DcsClient.createOfflineKeyAnalysis({ instanceId: INSTANCE, nodeId: NODE, ...request })

/** A report on the wire, as the service sends it: counters past 2^31. */
const wireReport = (taskId: string, nodeId: string) => ({
  id: taskId,
  instance_id: INSTANCE,
  node_id: nodeId,
  group_name: "group-0",
  node_ip: "192.168.0.10",
  node_type: "master",
  analysis_type: "new_backup",
  total_bytes: 21_474_836_480,
  total_num: 3_000_000_000,
  largest_key_prefixes: [{ key_prefix: "session:", type: "string", bytes: 4_294_967_296, num: 2_500_000_000 }],
  largest_keys: [{ key: "queue:orders", type: "list", bytes: 3_221_225_472, num_of_elem: 2_147_483_648 }],
  type_bytes: [{ type: "string", bytes: 17_179_869_184 }, { type: "list", bytes: 4_294_967_296 }],
  type_num: [{ type: "string", num: 2_999_999_999 }, { type: "list", num: 1 }]
})
const decodeReport = Schema.decodeUnknownSync(OfflineKeyAnalysis.OfflineKeyAnalysisReport)

/** What became of a call, in a word: `DcsInvalidRequest(field) after N calls`, `success…`, `defect: …`. */
const outcomeOf = <A, E>(effect: Effect.Effect<A, E, Client>) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(effect)
    const recorded = (yield* calls).length
    if (Exit.isSuccess(exit)) return `success after ${recorded} calls`
    const failure = Cause.failureOption(exit.cause)
    if (Option.isNone(failure)) return `defect: ${String(Cause.squash(exit.cause))}`
    const error = failure.value as { readonly _tag: string; readonly field?: string }
    return `${error._tag}(${error.field ?? ""}) after ${recorded} calls`
  }).pipe(Effect.provide(DcsClient.layerTest()))

/** Fails the test unless `effect` fails with a `DcsInvalidRequest` naming `field`, having called nothing. */
const expectRejected = (field: string) => <A, E>(effect: Effect.Effect<A, E, Client>) =>
  Effect.map(outcomeOf(effect), (outcome) => expect(outcome).toBe(`DcsInvalidRequest(${field}) after 0 calls`))

describe("layerTest: an analysis moves with the clock", () => {
  it.effect("create → waiting → running → success, at the boundaries", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2024-10-15T02:21:18Z"))
      const t0 = Date.parse("2024-10-15T02:21:18Z")
      const taskId = yield* create()
      expect(taskId).toBe("test-task-1")

      const first = yield* listed(taskId)
      expect(first?.status).toBe("waiting")
      expect(first && DateTime.toEpochMillis(first.createdAt)).toBe(t0)
      expect(first && Option.isNone(first.startedAt)).toBe(true)
      expect(first && Option.isNone(first.finishedAt)).toBe(true)

      yield* TestClock.adjust("2999 millis")
      expect(yield* statusOf(taskId)).toBe("waiting")
      yield* TestClock.adjust("1 millis")
      const running = yield* listed(taskId)
      expect(running?.status).toBe("running")
      expect(running && millisOf(running.startedAt)).toBe(t0 + 3000)
      expect(running && Option.isNone(running.finishedAt)).toBe(true)

      yield* TestClock.adjust("6999 millis")
      expect(yield* statusOf(taskId)).toBe("running")
      yield* TestClock.adjust("1 millis")
      const done = yield* listed(taskId)
      expect(done?.status).toBe("success")
      expect(done && millisOf(done.startedAt)).toBe(t0 + 3000)
      expect(done && millisOf(done.finishedAt)).toBe(t0 + 10_000)
      // It stays there.
      yield* TestClock.adjust("1 hour")
      expect(yield* statusOf(taskId)).toBe("success")
    }).pipe(Effect.provide(DcsClient.layerTest({ analysis: { waitingFor: "3 seconds", runningFor: "7 seconds" } }))))

  it.effect("the default durations are 2 s waiting and 8 s running", () =>
    Effect.gen(function*() {
      const taskId = yield* create()
      yield* TestClock.adjust("1999 millis")
      expect(yield* statusOf(taskId)).toBe("waiting")
      yield* TestClock.adjust("1 millis")
      expect(yield* statusOf(taskId)).toBe("running")
      yield* TestClock.adjust("7999 millis")
      expect(yield* statusOf(taskId)).toBe("running")
      yield* TestClock.adjust("1 millis")
      expect(yield* statusOf(taskId)).toBe("success")
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("the outcome function decides success or failed, per analysis", () =>
    Effect.gen(function*() {
      const bad = yield* create({ nodeId: "node-bad" })
      const good = yield* create({ nodeId: "node-good", backupId: "backup-1" })
      yield* TestClock.adjust("10 seconds")
      expect(yield* statusOf(bad)).toBe("failed")
      expect(yield* statusOf(good)).toBe("success")
    }).pipe(Effect.provide(DcsClient.layerTest({
      analysis: { outcome: (analysis) => analysis.nodeId === "node-bad" ? "failed" : "success" }
    }))))

  it.effect("created analyses head the list, newest first, before the given tasks; total counts them", () =>
    Effect.gen(function*() {
      const a = yield* create({ nodeId: "n1" })
      yield* TestClock.adjust("1 second")
      const b = yield* create({ nodeId: "n2" })
      const page = yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE })
      expect(page.records.map((r) => r.id)).toEqual([b, a])
      expect(page.total).toBe(2)
      expect((yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE, status: "waiting" })).total).toBe(2)
      // Another instance does not list them.
      expect((yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: "other" })).total).toBe(0)
    }).pipe(Effect.provide(DcsClient.layerTest())))
})

describe("layerTest: waitForOfflineKeyAnalysisTask", () => {
  it.effect("answers the finished record once the list shows success", () =>
    Effect.gen(function*() {
      const taskId = yield* create()
      const fiber = yield* DcsClient.waitForOfflineKeyAnalysisTask({
        instanceId: INSTANCE,
        taskId,
        schedule: Schedule.spaced("1 second")
      }).pipe(Effect.fork)
      yield* TestClock.adjust("9 seconds")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 second")
      const record = yield* Fiber.join(fiber)
      expect(record).toBeInstanceOf(OfflineKeyAnalysis.OfflineKeyAnalysisRecord)
      expect(record.id).toBe(taskId)
      expect(record.status).toBe("success")
      expect(millisOf(record.startedAt)).toBe(2000)
      expect(millisOf(record.finishedAt)).toBe(10_000)
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("answers at once, with one list call, for a task already finished", () =>
    Effect.gen(function*() {
      const taskId = yield* create()
      yield* TestClock.adjust("1 minute")
      const before = yield* listCalls
      const record = yield* DcsClient.waitForOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId })
      expect(record.status).toBe("success")
      expect((yield* listCalls) - before).toBe(1)
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("a failed task is a DcsAnalysisFailed naming the instance and task", () =>
    Effect.gen(function*() {
      const taskId = yield* create()
      const fiber = yield* DcsClient.waitForOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId }).pipe(
        Effect.flip,
        Effect.fork
      )
      yield* TestClock.adjust("1 minute")
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("DcsAnalysisFailed")
      expect(error).toBeInstanceOf(DcsError.DcsAnalysisFailed)
      expect(error).toMatchObject({ instanceId: INSTANCE, taskId })
      expect(error.message).toContain(taskId)
    }).pipe(Effect.provide(DcsClient.layerTest({ analysis: { outcome: () => "failed" } }))))

  it.effect("a task that does not finish in time is a DcsWaitTimeout with waitedMillis and lastStatus", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_000_000)
      const taskId = yield* create()
      const fiber = yield* DcsClient.waitForOfflineKeyAnalysisTask({
        instanceId: INSTANCE,
        taskId,
        timeout: "1 minute",
        schedule: Schedule.spaced("7 seconds")
      }).pipe(Effect.flip, Effect.fork)
      yield* TestClock.adjust("59999 millis")
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("DcsWaitTimeout")
      expect(error).toMatchObject({ instanceId: INSTANCE, taskId, waitedMillis: 60_000, lastStatus: "running" })
      expect(error.message).toContain("last status: running")
      // No more looks once it gave up.
      const looks = yield* listCalls
      yield* TestClock.adjust("1 hour")
      expect(yield* listCalls).toBe(looks)
    }).pipe(Effect.provide(DcsClient.layerTest({ analysis: { runningFor: Duration.infinity } }))))

  it.effect("a task still waiting when time runs out reports lastStatus waiting", () =>
    Effect.gen(function*() {
      const taskId = yield* create()
      const fiber = yield* DcsClient.waitForOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId, timeout: 5000 })
        .pipe(
          Effect.flip,
          Effect.fork
        )
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.join(fiber)).toMatchObject({
        _tag: "DcsWaitTimeout",
        waitedMillis: 5000,
        lastStatus: "waiting"
      })
    }).pipe(Effect.provide(DcsClient.layerTest({ analysis: { waitingFor: "1 hour" } }))))

  it.effect("a task that does not exist fails at once with DcsTaskNotFound: show tells it from one not listed yet", () =>
    Effect.gen(function*() {
      const error = yield* DcsClient.waitForOfflineKeyAnalysisTask({
        instanceId: INSTANCE,
        taskId: "never-created",
        timeout: "10 seconds"
      }).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "DcsTaskNotFound", taskId: "never-created", errorCode: "DCS.4232" })
      expect(yield* operations).toEqual(["listOfflineKeyAnalysisTasks", "showOfflineKeyAnalysisTask"])
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("a task deleted while waited for ends the wait with DcsTaskNotFound at the next look", () =>
    Effect.gen(function*() {
      const taskId = yield* create()
      const fiber = yield* DcsClient.waitForOfflineKeyAnalysisTask({
        instanceId: INSTANCE,
        taskId,
        schedule: Schedule.spaced("1 second")
      }).pipe(Effect.flip, Effect.fork)
      yield* TestClock.adjust("1 second")
      yield* DcsClient.deleteOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId })
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "DcsTaskNotFound", taskId })
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("defaults: looks after 1 s, then 1.5 times later each time, at most every 15 s; gives up after 30 min", () =>
    Effect.gen(function*() {
      const taskId = yield* create()
      const fiber = yield* DcsClient.waitForOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId }).pipe(
        Effect.flip,
        Effect.fork
      )
      // Looks at 0, 1, 2.5, 4.75, 8.125, 13.1875, 20.78125 and 32.171875 s, then every 15 s.
      const looksAt = [0, 1000, 2500, 4750, 8125, 13_187.5, 20_781.25, 32_171.875, 47_171.875, 62_171.875]
      yield* TestClock.adjust(Duration.millis(0.125))
      expect(yield* listCalls).toBe(1)
      let now = 0.125
      for (const [index, at] of looksAt.entries()) {
        if (index === 0) continue
        yield* TestClock.adjust(Duration.millis(at - 0.125 - now))
        now = at - 0.125
        expect(yield* listCalls).toBe(index)
        yield* TestClock.adjust(Duration.millis(0.125))
        now = at
        expect(yield* listCalls).toBe(index + 1)
      }
      expect(DcsClient.defaultWaitTimeout).toEqual(Duration.minutes(30))
      yield* TestClock.adjust(Duration.millis(30 * 60_000 - 1 - now))
      expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
      yield* TestClock.adjust("1 millis")
      const error = yield* Fiber.join(fiber)
      expect(error).toMatchObject({ _tag: "DcsWaitTimeout", waitedMillis: 1_800_000, lastStatus: "running" })
      // 8 looks in the first 32.2 s, then one every 15 s to 30 minutes.
      expect(yield* listCalls).toBe(8 + Math.floor((1_800_000 - 32_171.875) / 15_000))
    }).pipe(Effect.provide(DcsClient.layerTest({ analysis: { runningFor: Duration.infinity } }))))

  it.effect("uses a custom schedule: one list call per look", () =>
    Effect.gen(function*() {
      const taskId = yield* create()
      const fiber = yield* DcsClient.waitForOfflineKeyAnalysisTask({
        instanceId: INSTANCE,
        taskId,
        schedule: Schedule.spaced("250 millis")
      }).pipe(Effect.fork)
      yield* TestClock.adjust("10 seconds")
      const record = yield* Fiber.join(fiber)
      expect(record.status).toBe("success")
      // Looks at 0, 0.25, …, 10 s: 41 looks, each one list call (the task is on the first page).
      expect(yield* listCalls).toBe(41)
      expect(
        (yield* calls).filter((call) => call.operation === "listOfflineKeyAnalysisTasks").every((call) =>
          call.operation === "listOfflineKeyAnalysisTasks" && call.query.instanceId === INSTANCE &&
          call.query.offset === 0
        )
      ).toBe(true)
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("a schedule that ends before the task finishes gives up with DcsWaitTimeout", () =>
    Effect.gen(function*() {
      const taskId = yield* create()
      const error = yield* DcsClient.waitForOfflineKeyAnalysisTask({
        instanceId: INSTANCE,
        taskId,
        schedule: Schedule.recurs(2)
      }).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "DcsWaitTimeout", waitedMillis: 0, lastStatus: "waiting" })
      expect(yield* listCalls).toBe(3)
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("finds a task beyond the first page of the list", () =>
    Effect.gen(function*() {
      const old = Array.from({ length: 150 }, (_, i) =>
        new OfflineKeyAnalysis.OfflineKeyAnalysisRecord({
          id: `old-${i}`,
          status: i === 149 ? "success" : "failed",
          createdAt: DateTime.unsafeMake(1_000_000 - i),
          startedAt: Option.none(),
          finishedAt: Option.none()
        }))
      yield* Effect.flatMap(TestClient, (client) => client.setTasks(old))
      const record = yield* DcsClient.waitForOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId: "old-149" })
      expect(record.id).toBe("old-149")
      expect(yield* listCalls).toBe(2)
    }).pipe(Effect.provide(DcsClient.layerTest())))
})

describe("layerTest: DCS.4231 and DCS.4232", () => {
  it.effect("a second create on a node with an analysis waiting or running fails with DcsAnalysisAlreadyRunning", () =>
    Effect.gen(function*() {
      const first = yield* create()
      const whileWaiting = yield* create().pipe(Effect.flip)
      expect(whileWaiting._tag).toBe("DcsAnalysisAlreadyRunning")
      expect(whileWaiting).toBeInstanceOf(DcsError.DcsAnalysisAlreadyRunning)
      expect(whileWaiting).toMatchObject({ status: 400, errorCode: "DCS.4231" })
      yield* TestClock.adjust("2 seconds")
      expect(yield* statusOf(first)).toBe("running")
      expect((yield* create({ backupId: "b-1" }).pipe(Effect.flip))._tag).toBe("DcsAnalysisAlreadyRunning")
      // Another node, or the same node id on another instance, is free.
      const other = yield* create({ nodeId: "node-slave" })
      const elsewhere = yield* create({ instanceId: "other-instance" })
      expect(new Set([first, other, elsewhere]).size).toBe(3)
      // Once it finished, the node is free again.
      yield* TestClock.adjust("8 seconds")
      expect(yield* statusOf(first)).toBe("success")
      const again = yield* create()
      expect(again).not.toBe(first)
      expect(yield* statusOf(again)).toBe("waiting")
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("a failed analysis frees its node too, and so does deleting a running one", () =>
    Effect.gen(function*() {
      const first = yield* create()
      yield* TestClock.adjust("10 seconds")
      expect(yield* statusOf(first)).toBe("failed")
      const second = yield* create()
      yield* DcsClient.deleteOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId: second })
      yield* create()
    }).pipe(Effect.provide(DcsClient.layerTest({ analysis: { outcome: () => "failed" } }))))

  it.effect("show, delete and nodes of an unknown task fail with DcsTaskNotFound", () =>
    Effect.gen(function*() {
      const request = { instanceId: INSTANCE, taskId: "no-such-task" }
      const errors = yield* Effect.all([
        Effect.flip(DcsClient.showOfflineKeyAnalysisTask(request)),
        Effect.flip(DcsClient.deleteOfflineKeyAnalysisTask(request)),
        Effect.flip(DcsClient.listOfflineKeyAnalysisNodes(request))
      ])
      for (const error of errors) {
        expect(error._tag).toBe("DcsTaskNotFound")
        expect(error).toBeInstanceOf(DcsError.DcsTaskNotFound)
        expect(error).toMatchObject({ status: 400, errorCode: "DCS.4232" })
        expect(error.message).toContain("DCS.4232")
      }
      expect(yield* operations).toEqual([
        "showOfflineKeyAnalysisTask",
        "deleteOfflineKeyAnalysisTask",
        "listOfflineKeyAnalysisNodes"
      ])
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("a deleted task is gone: DcsTaskNotFound on show, delete and nodes, and no longer listed", () =>
    Effect.gen(function*() {
      const taskId = yield* create()
      const request = { instanceId: INSTANCE, taskId }
      yield* TestClock.adjust("10 seconds")
      yield* DcsClient.showOfflineKeyAnalysisTask(request)
      yield* DcsClient.deleteOfflineKeyAnalysisTask(request)
      expect(yield* listed(taskId)).toBeUndefined()
      for (
        const operation of [
          DcsClient.showOfflineKeyAnalysisTask,
          DcsClient.deleteOfflineKeyAnalysisTask,
          DcsClient.listOfflineKeyAnalysisNodes
        ] as const
      ) {
        const error = yield* Effect.flip(operation(request) as Effect.Effect<unknown, DcsError.DcsError, Client>)
        expect(error).toMatchObject({ _tag: "DcsTaskNotFound", errorCode: "DCS.4232" })
      }
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("given tasks can be shown (with their given report), deleted and their nodes listed", () =>
    Effect.gen(function*() {
      const given = new OfflineKeyAnalysis.OfflineKeyAnalysisRecord({
        id: "given-1",
        status: "success",
        createdAt: DateTime.unsafeMake(0),
        startedAt: Option.none(),
        finishedAt: Option.none()
      })
      yield* Effect.flatMap(TestClient, (client) => client.setTasks([given]))
      const request = { instanceId: INSTANCE, taskId: "given-1" }
      const report = yield* DcsClient.showOfflineKeyAnalysisTask(request)
      expect(Option.getOrUndefined(report.totalBytes)).toBe(21_474_836_480)
      expect(yield* DcsClient.listOfflineKeyAnalysisNodes(request)).toEqual([])
      yield* DcsClient.deleteOfflineKeyAnalysisTask(request)
      expect((yield* DcsClient.showOfflineKeyAnalysisTask(request).pipe(Effect.flip))._tag).toBe("DcsTaskNotFound")
    }).pipe(Effect.provide(DcsClient.layerTest({ reports: { "given-1": decodeReport(wireReport("given-1", "n")) } }))))
})

describe("layerTest: show, nodes and analyzeKeys", () => {
  it.effect("show answers the default report: ids, analysis type and times; nodes answers the node", () =>
    Effect.gen(function*() {
      const taskId = yield* create({ backupId: "backup-7" })
      const request = { instanceId: INSTANCE, taskId }
      const waiting = yield* DcsClient.showOfflineKeyAnalysisTask(request)
      expect(waiting).toBeInstanceOf(OfflineKeyAnalysis.OfflineKeyAnalysisReport)
      expect(Option.getOrUndefined(waiting.id)).toBe(taskId)
      expect(Option.getOrUndefined(waiting.instanceId)).toBe(INSTANCE)
      expect(Option.getOrUndefined(waiting.nodeId)).toBe(NODE)
      expect(Option.getOrUndefined(waiting.backupId)).toBe("backup-7")
      expect(Option.getOrUndefined(waiting.analysisType)).toBe("old_backup")
      expect(Option.isNone(waiting.startedAt)).toBe(true)
      yield* TestClock.adjust("10 seconds")
      const done = yield* DcsClient.showOfflineKeyAnalysisTask(request)
      expect(millisOf(done.startedAt)).toBe(2000)
      expect(millisOf(done.finishedAt)).toBe(10_000)
      expect(done.largestKeys).toEqual([])
      const nodes = yield* DcsClient.listOfflineKeyAnalysisNodes(request)
      expect(nodes.map((node) => node.id)).toEqual([NODE])
      expect(nodes[0]).toBeInstanceOf(OfflineKeyAnalysis.OfflineKeyAnalysisNode)
      // Without a backup id, a new backup is taken: new_backup.
      const fresh = yield* create({ nodeId: "node-2" })
      const report = yield* DcsClient.showOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId: fresh })
      expect(Option.getOrUndefined(report.analysisType)).toBe("new_backup")
      expect(Option.isNone(report.backupId)).toBe(true)
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("analyzeKeys creates, waits and shows: the finished task and its (custom) report", () =>
    Effect.gen(function*() {
      const seen: Array<DcsClientTest.TestAnalysis> = []
      const layer = DcsClient.layerTest({
        analysis: {
          waitingFor: "1 second",
          runningFor: "4 seconds",
          report: (analysis) => {
            seen.push(analysis)
            return decodeReport(wireReport(analysis.taskId, analysis.nodeId))
          }
        }
      })
      yield* Effect.gen(function*() {
        const fiber = yield* DcsClient.analyzeKeys({
          instanceId: INSTANCE,
          nodeId: NODE,
          schedule: Schedule.spaced("2 seconds")
        }).pipe(Effect.fork)
        yield* TestClock.adjust("5 seconds")
        expect(Option.isNone(yield* Fiber.poll(fiber))).toBe(true)
        yield* TestClock.adjust("1 second")
        const { report, task } = yield* Fiber.join(fiber)
        expect(task.id).toBe("test-task-1")
        expect(task.status).toBe("success")
        expect(millisOf(task.finishedAt)).toBe(5000)
        expect(Option.getOrUndefined(report.id)).toBe(task.id)
        expect(Option.getOrUndefined(report.totalBytes)).toBe(21_474_836_480)
        expect(Option.getOrUndefined(report.totalNum)).toBe(3_000_000_000)
        expect(report.largestKeys.map((key) => [key.key, key.bytes, Option.getOrUndefined(key.numOfElem)])).toEqual([
          ["queue:orders", 3_221_225_472, 2_147_483_648]
        ])
        expect(report.largestKeyPrefixes.map((prefix) => [prefix.keyPrefix, prefix.num])).toEqual([
          ["session:", 2_500_000_000]
        ])
        expect(report.typeBytes.map((t) => t.bytes)).toEqual([17_179_869_184, 4_294_967_296])
        expect(report.typeNum.map((t) => t.num)).toEqual([2_999_999_999, 1])
        expect(seen.map((a) => ({ ...a, record: a.record.status }))).toEqual([
          { taskId: task.id, instanceId: INSTANCE, nodeId: NODE, backupId: undefined, record: "success" }
        ])
        // Create, looks at 0, 2, 4 and 6 s, show.
        expect(yield* operations).toEqual([
          "createOfflineKeyAnalysis",
          "listOfflineKeyAnalysisTasks",
          "listOfflineKeyAnalysisTasks",
          "listOfflineKeyAnalysisTasks",
          "listOfflineKeyAnalysisTasks",
          "showOfflineKeyAnalysisTask"
        ])
      }).pipe(Effect.provide(layer))
    }))

  it.effect("analyzeKeys passes the backup id, and fails like its parts", () =>
    Effect.gen(function*() {
      const fiber = yield* DcsClient.analyzeKeys({ instanceId: INSTANCE, nodeId: NODE, backupId: "b-9" }).pipe(
        Effect.flip,
        Effect.fork
      )
      yield* TestClock.adjust("1 minute")
      const failed = yield* Fiber.join(fiber)
      expect(failed).toMatchObject({ _tag: "DcsAnalysisFailed", instanceId: INSTANCE, taskId: "test-task-1" })
      const all = yield* calls
      expect(all[0]).toEqual({
        operation: "createOfflineKeyAnalysis",
        instanceId: INSTANCE,
        nodeId: NODE,
        backupId: "b-9"
      })
      // A failed analysis has no report to show.
      expect(all.some((call) => call.operation === "showOfflineKeyAnalysisTask")).toBe(false)
    }).pipe(Effect.provide(DcsClient.layerTest({ analysis: { outcome: () => "failed" } }))))

  it.effect("analyzeKeys with onAlreadyRunning fail: DcsAnalysisAlreadyRunning naming the running task", () =>
    Effect.gen(function*() {
      const running = yield* create()
      const error = yield* DcsClient.analyzeKeys({ instanceId: INSTANCE, nodeId: NODE, onAlreadyRunning: "fail" }).pipe(
        Effect.flip
      )
      expect(error).toMatchObject({ _tag: "DcsAnalysisAlreadyRunning", runningTaskId: running })
      expect(error.message).toContain(`running task "${running}"`)
      expect((yield* operations).filter((op) => op === "createOfflineKeyAnalysis")).toHaveLength(2)
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("analyzeKeys attaches to the analysis already running on the node by default", () =>
    Effect.gen(function*() {
      const running = yield* create()
      const seen: Array<DcsClient.AnalysisTask> = []
      const fiber = yield* DcsClient.analyzeKeys({
        instanceId: INSTANCE,
        nodeId: NODE,
        onTask: (task) => Effect.sync(() => seen.push(task))
      }).pipe(Effect.fork)
      yield* TestClock.adjust("1 minute")
      const result = yield* Fiber.join(fiber)
      expect(result.attached).toBe(true)
      expect(result.task.id).toBe(running)
      expect(Option.getOrUndefined(result.report.nodeId)).toBe(NODE)
      expect(seen).toEqual([{ instanceId: INSTANCE, nodeId: NODE, taskId: running, attached: true }])
      // Nothing new was created: the list holds the one task.
      expect((yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE })).total).toBe(1)
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("analyzeKeys of a given backup never attaches: another backup may be under analysis", () =>
    Effect.gen(function*() {
      const running = yield* create()
      const error = yield* DcsClient.analyzeKeys({ instanceId: INSTANCE, nodeId: NODE, backupId: "b-1" }).pipe(
        Effect.flip
      )
      expect(error).toMatchObject({ _tag: "DcsAnalysisAlreadyRunning", runningTaskId: running })
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("an interrupted analyzeKeys has reported its task id, and logs it at info", () =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => logs.push(String(message)))
      const fiber = yield* DcsClient.analyzeKeys({
        instanceId: INSTANCE,
        nodeId: NODE,
        onTask: (task) => Effect.sync(() => seen.push(task.taskId))
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)), Effect.fork)
      yield* TestClock.adjust("3 seconds")
      yield* Fiber.interrupt(fiber)
      expect(seen).toEqual(["test-task-1"])
      expect(logs.some((line) => line.includes("test-task-1") && line.includes("goes on in the service"))).toBe(true)
      // The task goes on in the service.
      expect(yield* statusOf("test-task-1")).toBe("running")
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("analyzeKeys times out with DcsWaitTimeout after its own timeout", () =>
    Effect.gen(function*() {
      const fiber = yield* DcsClient.analyzeKeys({ instanceId: INSTANCE, nodeId: NODE, timeout: "20 seconds" }).pipe(
        Effect.flip,
        Effect.fork
      )
      yield* TestClock.adjust("20 seconds")
      expect(yield* Fiber.join(fiber)).toMatchObject({
        _tag: "DcsWaitTimeout",
        taskId: "test-task-1",
        waitedMillis: 20_000,
        lastStatus: "running"
      })
    }).pipe(Effect.provide(DcsClient.layerTest({ analysis: { runningFor: Duration.infinity } }))))
})

describe("layerTest: input validation of the resource", () => {
  const task = (request: Record<string, unknown>) => ({ instanceId: INSTANCE, taskId: "t-1", ...request }) as any
  const createWith = (request: Record<string, unknown>) =>
    DcsClient.createOfflineKeyAnalysis({ instanceId: INSTANCE, nodeId: NODE, ...request } as any)
  const badIds: ReadonlyArray<unknown> = ["", "   ", "\t", "a\nb", "x\u0000", "del\u007f", 42, null, ".", ".."]
  const badBodyIds: ReadonlyArray<unknown> = ["", "  ", "a\rb", "x\u001f", 7, null, true, "n".repeat(257)]
  const badWaitTimeouts: ReadonlyArray<unknown> = [0, -1, "0 millis", "soon", Number.NaN, {}]

  it.effect("create: a bad instanceId, nodeId or backupId", () =>
    Effect.gen(function*() {
      for (const instanceId of badIds) yield* expectRejected("instanceId")(createWith({ instanceId }))
      for (const nodeId of [...badBodyIds, undefined]) yield* expectRejected("nodeId")(createWith({ nodeId }))
      for (const backupId of badBodyIds) yield* expectRejected("backupId")(createWith({ backupId }))
    }))

  it.effect("show, delete and nodes: a bad instanceId or taskId", () =>
    Effect.gen(function*() {
      for (
        const operation of [
          DcsClient.showOfflineKeyAnalysisTask,
          DcsClient.deleteOfflineKeyAnalysisTask,
          DcsClient.listOfflineKeyAnalysisNodes
        ] as const
      ) {
        const run = (request: Record<string, unknown>) =>
          operation(task(request)) as Effect.Effect<unknown, DcsError.DcsError, Client>
        for (const instanceId of badIds) yield* expectRejected("instanceId")(run({ instanceId }))
        for (const taskId of [...badIds, undefined]) yield* expectRejected("taskId")(run({ taskId }))
      }
    }))

  it.effect("wait: a bad instanceId, taskId or timeout", () =>
    Effect.gen(function*() {
      const wait = (request: Record<string, unknown>) => DcsClient.waitForOfflineKeyAnalysisTask(task(request))
      for (const instanceId of badIds) yield* expectRejected("instanceId")(wait({ instanceId }))
      for (const taskId of badIds) yield* expectRejected("taskId")(wait({ taskId }))
      for (const timeout of badWaitTimeouts) yield* expectRejected("timeout")(wait({ timeout }))
    }))

  it.effect("analyzeKeys: a bad instanceId, nodeId or backupId, before anything is created", () =>
    Effect.gen(function*() {
      const analyze = (request: Record<string, unknown>) =>
        DcsClient.analyzeKeys({ instanceId: INSTANCE, nodeId: NODE, ...request } as any)
      yield* expectRejected("instanceId")(analyze({ instanceId: " " }))
      yield* expectRejected("nodeId")(analyze({ nodeId: 7 }))
      yield* expectRejected("backupId")(analyze({ backupId: "" }))
    }))

  // The wait timeout is checked only once the task was created: the analysis is started, left
  // running, and the caller gets a DcsInvalidRequest without the task id.
  // The wait timeout is checked only once the task was created: the analysis is started, left
  // running, and the caller gets a DcsInvalidRequest without the task id.
  it.effect("analyzeKeys: a bad timeout is rejected before anything is created", () =>
    Effect.gen(function*() {
      const outcomes = yield* Effect.forEach(
        [0, "soon"],
        (timeout) => outcomeOf(DcsClient.analyzeKeys({ instanceId: INSTANCE, nodeId: NODE, timeout } as any))
      )
      expect(outcomes).toEqual(Array(2).fill("DcsInvalidRequest(timeout) after 0 calls"))
    }))

  // The live layer rejects a per-call timeout that is not a positive duration (in `send`); the
  // test layer is documented to validate input exactly as the live one does.
  it.effect("a bad per-call timeout is rejected by create, show, delete and nodes, like the live layer", () =>
    Effect.gen(function*() {
      const outcomes: Record<string, string> = {}
      for (const timeout of [-1, "0 millis", "soon"]) {
        outcomes[`create ${timeout}`] = yield* outcomeOf(createWith({ timeout }))
        outcomes[`show ${timeout}`] = yield* outcomeOf(DcsClient.showOfflineKeyAnalysisTask(task({ timeout })))
        outcomes[`delete ${timeout}`] = yield* outcomeOf(DcsClient.deleteOfflineKeyAnalysisTask(task({ timeout })))
        outcomes[`nodes ${timeout}`] = yield* outcomeOf(DcsClient.listOfflineKeyAnalysisNodes(task({ timeout })))
      }
      expect(outcomes).toEqual(
        Object.fromEntries(Object.keys(outcomes).map((key) => [key, "DcsInvalidRequest(timeout) after 0 calls"]))
      )
    }))

  // The streams answer a DcsInvalidRequest naming "request" for these; the resource's operations
  // should too, not die (the span attributes read `request.instanceId` before validation).
  it.effect("a request that is not an object is a DcsInvalidRequest, not a defect", () =>
    Effect.gen(function*() {
      const outcomes: Record<string, string> = {}
      for (const request of [null, undefined, "t-1"] as Array<any>) {
        const name = JSON.stringify(request) ?? "undefined"
        outcomes[`create ${name}`] = yield* outcomeOf(DcsClient.createOfflineKeyAnalysis(request))
        outcomes[`show ${name}`] = yield* outcomeOf(DcsClient.showOfflineKeyAnalysisTask(request))
        outcomes[`delete ${name}`] = yield* outcomeOf(DcsClient.deleteOfflineKeyAnalysisTask(request))
        outcomes[`nodes ${name}`] = yield* outcomeOf(DcsClient.listOfflineKeyAnalysisNodes(request))
        outcomes[`wait ${name}`] = yield* outcomeOf(DcsClient.waitForOfflineKeyAnalysisTask(request))
        outcomes[`analyzeKeys ${name}`] = yield* outcomeOf(DcsClient.analyzeKeys(request))
      }
      expect(outcomes).toEqual(
        Object.fromEntries(Object.keys(outcomes).map((key) => [key, "DcsInvalidRequest(request) after 0 calls"]))
      )
    }))

  it.effect("accepts ids with spaces, slashes, unicode and 256 characters, unchanged", () =>
    Effect.gen(function*() {
      const instanceId = "inst / ü ?#x"
      const nodeId = "n".repeat(256)
      const taskId = yield* DcsClient.createOfflineKeyAnalysis({ instanceId, nodeId, backupId: "b 1" })
      yield* DcsClient.showOfflineKeyAnalysisTask({ instanceId, taskId })
      expect(yield* calls).toEqual([
        { operation: "createOfflineKeyAnalysis", instanceId, nodeId, backupId: "b 1" },
        { operation: "showOfflineKeyAnalysisTask", instanceId, taskId }
      ])
    }).pipe(Effect.provide(DcsClient.layerTest())))
})

describe("layerTest: failWith and calls", () => {
  const throttled = new DcsError.DcsUnexpectedStatus({
    status: 429,
    errorCode: "APIGW.0308",
    errorMsg: "Too many requests",
    body: "{}",
    requestId: "req-429"
  })

  it.effect("failWith applies to every operation, each call recorded", () =>
    Effect.gen(function*() {
      const setup = DcsClient.layerTest({ analysis: { waitingFor: 0, runningFor: 0 } })
      yield* Effect.gen(function*() {
        const control = yield* TestClient
        const taskId = yield* create()
        const request = { instanceId: INSTANCE, taskId }
        yield* control.setFailWith(() => throttled)
        const results = yield* Effect.all([
          create({ nodeId: "n2" }),
          DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE }),
          DcsClient.showOfflineKeyAnalysisTask(request),
          DcsClient.deleteOfflineKeyAnalysisTask(request),
          DcsClient.listOfflineKeyAnalysisNodes(request),
          DcsClient.waitForOfflineKeyAnalysisTask(request),
          DcsClient.analyzeKeys({ instanceId: INSTANCE, nodeId: "n3" })
        ].map((effect) => Effect.flip(effect as Effect.Effect<unknown, DcsError.DcsError | DcsError.DcsWaitTimeout>)))
        for (const error of results) {
          expect(error).toMatchObject({ _tag: "DcsUnexpectedStatus", status: 429, requestId: "req-429" })
        }
        expect(yield* operations).toEqual([
          "createOfflineKeyAnalysis",
          "createOfflineKeyAnalysis",
          "listOfflineKeyAnalysisTasks",
          "showOfflineKeyAnalysisTask",
          "deleteOfflineKeyAnalysisTask",
          "listOfflineKeyAnalysisNodes",
          "listOfflineKeyAnalysisTasks",
          "createOfflineKeyAnalysis"
        ])
        // Failing calls changed nothing: the task is still there; lifting failWith restores service.
        yield* control.setFailWith(undefined)
        expect(yield* statusOf(taskId)).toBe("success")
      }).pipe(Effect.provide(setup))
    }))

  it.effect("failWith sees each call and can pick one operation", () =>
    Effect.gen(function*() {
      const taskId = yield* create()
      const request = { instanceId: INSTANCE, taskId }
      yield* TestClock.adjust("10 seconds")
      const error = yield* DcsClient.showOfflineKeyAnalysisTask(request).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "DcsInternalServerError", errorMsg: `show ${taskId}` })
      yield* DcsClient.listOfflineKeyAnalysisNodes(request)
      yield* DcsClient.deleteOfflineKeyAnalysisTask(request)
    }).pipe(Effect.provide(DcsClient.layerTest({
      failWith: (call) =>
        call.operation === "showOfflineKeyAnalysisTask"
          ? new DcsError.DcsInternalServerError({ status: 500, errorCode: "", errorMsg: `show ${call.taskId}` })
          : undefined
    }))))

  it.effect("a failing look fails the waiter with that error", () =>
    Effect.gen(function*() {
      const taskId = yield* create()
      const control = yield* TestClient
      const fiber = yield* DcsClient.waitForOfflineKeyAnalysisTask({
        instanceId: INSTANCE,
        taskId,
        schedule: Schedule.spaced("1 second")
      }).pipe(Effect.flip, Effect.fork)
      yield* TestClock.adjust("1 second")
      yield* control.setFailWith((call) => call.operation === "listOfflineKeyAnalysisTasks" ? throttled : undefined)
      yield* TestClock.adjust("1 second")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "DcsUnexpectedStatus", status: 429 })
      expect(yield* listCalls).toBe(3)
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("calls records every operation with its validated input, in order", () =>
    Effect.gen(function*() {
      const taskId = yield* DcsClient.createOfflineKeyAnalysis({ instanceId: INSTANCE, nodeId: NODE, backupId: "b-1" })
      const request = { instanceId: INSTANCE, taskId }
      yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE, offset: 0, limit: 5, status: "waiting" })
      yield* DcsClient.waitForOfflineKeyAnalysisTask({ ...request, schedule: Schedule.spaced("10 seconds") }).pipe(
        Effect.fork,
        Effect.tap(() => TestClock.adjust("10 seconds")),
        Effect.flatMap(Fiber.join)
      )
      yield* DcsClient.showOfflineKeyAnalysisTask(request)
      yield* DcsClient.listOfflineKeyAnalysisNodes(request)
      yield* DcsClient.deleteOfflineKeyAnalysisTask(request)
      // Rejected input is not recorded.
      yield* Effect.exit(DcsClient.showOfflineKeyAnalysisTask({ instanceId: INSTANCE, taskId: "" }))
      const waiterQuery = { instanceId: INSTANCE, offset: 0, limit: DcsClient.defaultPageSize, status: undefined }
      expect(yield* calls).toEqual([
        { operation: "createOfflineKeyAnalysis", instanceId: INSTANCE, nodeId: NODE, backupId: "b-1" },
        {
          operation: "listOfflineKeyAnalysisTasks",
          query: { instanceId: INSTANCE, offset: 0, limit: 5, status: "waiting" }
        },
        { operation: "listOfflineKeyAnalysisTasks", query: waiterQuery },
        { operation: "listOfflineKeyAnalysisTasks", query: waiterQuery },
        { operation: "showOfflineKeyAnalysisTask", ...request },
        { operation: "listOfflineKeyAnalysisNodes", ...request },
        { operation: "deleteOfflineKeyAnalysisTask", ...request }
      ])
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("a create rejected with DCS.4231 is recorded, and creates no task", () =>
    Effect.gen(function*() {
      yield* create()
      const exit = yield* Effect.exit(create())
      expect(Exit.isFailure(exit)).toBe(true)
      expect(Exit.isFailure(exit) && Cause.failureOption(exit.cause)).toMatchObject(
        Option.some({ _tag: "DcsAnalysisAlreadyRunning", runningTaskId: "test-task-1" })
      )
      // Finding the running task: its waiting and running tasks, and the report of the candidate.
      expect(yield* operations).toEqual([
        "createOfflineKeyAnalysis",
        "createOfflineKeyAnalysis",
        "listOfflineKeyAnalysisTasks",
        "listOfflineKeyAnalysisTasks",
        "showOfflineKeyAnalysisTask"
      ])
      expect((yield* DcsClient.listOfflineKeyAnalysisTasks({ instanceId: INSTANCE })).total).toBe(1)
    }).pipe(Effect.provide(DcsClient.layerTest())))
})
