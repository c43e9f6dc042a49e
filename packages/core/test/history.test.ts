/**
 * `latestSuccessfulAnalysis` and `previousSuccessfulAnalysis` on the in-memory client: which
 * analysis they answer, that they read no more reports than needed, and their typed errors.
 * (Through the real HTTP stack: packages/node/test/history.test.ts.)
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Option, TestClock } from "effect"
import { DcsClient, DcsError } from "../src/index.js"
import { OfflineKeyAnalysisReport, type OfflineKeyAnalysisStatus } from "../src/OfflineKeyAnalysis.js"
import { task } from "./utils/tasks.js"

const reportOf = (taskId: string, nodeId: string | undefined) =>
  new OfflineKeyAnalysisReport({
    id: Option.some(taskId),
    instanceId: Option.some("i"),
    nodeId: Option.fromNullable(nodeId),
    backupId: Option.none(),
    groupName: Option.none(),
    nodeIp: Option.none(),
    nodeIpv6: Option.none(),
    nodeType: Option.none(),
    analysisType: Option.none(),
    startedAt: Option.none(),
    finishedAt: Option.none(),
    totalBytes: Option.some(1000),
    totalNum: Option.some(10),
    largestKeyPrefixes: [],
    largestKeys: [],
    typeBytes: [],
    typeNum: []
  })

// Newest first, as the service lists them: (status, node).
const history: ReadonlyArray<readonly [OfflineKeyAnalysisStatus, string]> = [
  ["running", "a"],
  ["success", "a"],
  ["failed", "b"],
  ["success", "b"],
  ["success", "a"],
  ["success", "a"]
]
const tasks = history.map(([status], i) => task(i, status))
const reports = Object.fromEntries(tasks.map((t, i) => [t.id, reportOf(t.id, history[i]![1])]))
const layer = DcsClient.layerTest({ tasks, reports })

const shown = Effect.map(
  Effect.flatMap(DcsClient.TestClient, (test) => test.calls),
  (calls) => calls.flatMap((call) => call.operation === "showOfflineKeyAnalysisTask" ? [call.taskId] : [])
)

describe("latestSuccessfulAnalysis and previousSuccessfulAnalysis", () => {
  it.effect("the newest successful analysis of the instance, reading one report", () =>
    Effect.gen(function*() {
      const latest = yield* DcsClient.latestSuccessfulAnalysis({ instanceId: "i" })
      expect(latest.task).toEqual(tasks[1])
      expect(latest.report).toEqual(reports[tasks[1]!.id])
      expect(yield* shown).toEqual([tasks[1]!.id])
    }).pipe(Effect.provide(layer)))

  it.effect("of a node: skips the other nodes' analyses and the failed ones, and stops once found", () =>
    Effect.gen(function*() {
      const latestB = yield* DcsClient.latestSuccessfulAnalysis({ instanceId: "i", nodeId: "b" })
      expect(latestB.task.id).toBe(tasks[3]!.id)
      // Reports of the successful tasks only, and none past the one found.
      expect(yield* shown).toEqual([tasks[1]!.id, tasks[3]!.id])
      const previousA = yield* DcsClient.previousSuccessfulAnalysis({ instanceId: "i", nodeId: "a" })
      expect(previousA.task.id).toBe(tasks[4]!.id)
      const previous = yield* DcsClient.previousSuccessfulAnalysis({ instanceId: "i" })
      expect(previous.task.id).toBe(tasks[3]!.id)
    }).pipe(Effect.provide(layer)))

  it.effect("the last two analyses of a node, in two lines", () =>
    Effect.gen(function*() {
      const after = yield* DcsClient.latestSuccessfulAnalysis({ instanceId: "i", nodeId: "a" })
      const before = yield* DcsClient.previousSuccessfulAnalysis({ instanceId: "i", nodeId: "a" })
      expect([before.task.id, after.task.id]).toEqual([tasks[4]!.id, tasks[1]!.id])
    }).pipe(Effect.provide(layer)))

  it.effect("DcsNoSuccessfulAnalysis says how many there are", () =>
    Effect.gen(function*() {
      const noPrevious = yield* Effect.flip(DcsClient.previousSuccessfulAnalysis({ instanceId: "i", nodeId: "b" }))
      expect(noPrevious).toBeInstanceOf(DcsError.DcsNoSuccessfulAnalysis)
      expect(noPrevious).toMatchObject({ instanceId: "i", nodeId: "b", wanted: "previous", found: 1 })
      expect(noPrevious.message).toBe(
        "No previous successful offline key analysis of instance i, node b: only one succeeded"
      )
      const none = yield* Effect.flip(DcsClient.latestSuccessfulAnalysis({ instanceId: "i", nodeId: "c" }))
      expect(none).toMatchObject({ _tag: "DcsNoSuccessfulAnalysis", wanted: "latest", found: 0 })
      expect(none.message).toBe("No successful offline key analysis of instance i, node c")
    }).pipe(Effect.provide(layer)))

  it.effect("an empty instance: none, not a defect", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(DcsClient.previousSuccessfulAnalysis({ instanceId: "i" }))
      expect(error).toMatchObject({ _tag: "DcsNoSuccessfulAnalysis", found: 0 })
      expect(error.message).toContain(": none succeeded")
    }).pipe(Effect.provide(DcsClient.layerTest())))

  it.effect("a report without a node id: the task's nodes say which node it analysed", () =>
    Effect.gen(function*() {
      for (const nodeId of ["n1", "n2", "n1"]) {
        yield* Effect.fork(DcsClient.analyzeKeys({ instanceId: "i", nodeId }))
        yield* TestClock.adjust("1 minute")
      }
      const latest = yield* DcsClient.latestSuccessfulAnalysis({ instanceId: "i", nodeId: "n2" })
      expect(latest.task.id).toBe("test-task-2")
      expect(Option.isNone(latest.report.nodeId)).toBe(true)
      const previous = yield* DcsClient.previousSuccessfulAnalysis({ instanceId: "i", nodeId: "n1" })
      expect(previous.task.id).toBe("test-task-1")
    }).pipe(Effect.provide(DcsClient.layerTest({
      analysis: { report: (analysis) => reportOf(analysis.taskId, undefined) }
    }))))

  it.effect("bad input: DcsInvalidRequest, nothing sent", () =>
    Effect.gen(function*() {
      const badNode = yield* Effect.flip(DcsClient.latestSuccessfulAnalysis({ instanceId: "i", nodeId: " " }))
      expect(badNode).toMatchObject({ _tag: "DcsInvalidRequest", field: "nodeId" })
      const badInstance = yield* Effect.flip(DcsClient.previousSuccessfulAnalysis({ instanceId: "" }))
      expect(badInstance).toMatchObject({ _tag: "DcsInvalidRequest", field: "instanceId" })
      expect(yield* Effect.flatMap(DcsClient.TestClient, (test) => test.calls)).toEqual([])
    }).pipe(Effect.provide(layer)))

  it.effect("an unknown instance: the service's DcsNotFound", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(DcsClient.latestSuccessfulAnalysis({ instanceId: "nope" }))
      expect(error._tag).toBe("DcsNotFound")
    }).pipe(Effect.provide(DcsClient.layerTest({ instances: { i: tasks } }))))

  it.effect.prop(
    "answers the first and second successful analyses of the node in the list's order",
    [
      fc.array(
        fc.tuple(
          fc.constantFrom<OfflineKeyAnalysisStatus>("waiting", "running", "success", "failed"),
          fc.constantFrom("a", "b")
        ),
        { maxLength: 60 }
      ),
      fc.option(fc.constantFrom("a", "b"), { nil: undefined })
    ],
    ([entries, nodeId]) =>
      Effect.gen(function*() {
        const listed = entries.map(([status], i) => task(i, status))
        const expected = listed.filter((t, i) =>
          t.status === "success" && (nodeId === undefined || entries[i]![1] === nodeId)
        )
        const layer = DcsClient.layerTest({
          tasks: listed,
          reports: Object.fromEntries(listed.map((t, i) => [t.id, reportOf(t.id, entries[i]![1])]))
        })
        const answers = yield* Effect.all([
          Effect.either(DcsClient.latestSuccessfulAnalysis({ instanceId: "i", nodeId })),
          Effect.either(DcsClient.previousSuccessfulAnalysis({ instanceId: "i", nodeId }))
        ]).pipe(Effect.provide(layer))
        answers.forEach((answer, index) => {
          const want = expected[index]
          if (want === undefined) {
            expect(answer._tag === "Left" && answer.left).toMatchObject({
              _tag: "DcsNoSuccessfulAnalysis",
              found: expected.length
            })
          } else {
            expect(answer._tag === "Right" && answer.right.task.id).toBe(want.id)
          }
        })
      })
  )
})
