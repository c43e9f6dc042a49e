/**
 * 6. A fleet analysed: the emulator's seeded fleet (seed 2, 22 instances: 16 analysable, 26 shards),
 * every analysis taking about a second (200 ms waiting + 800 ms running).
 *
 * - ours, `analyzeFleet({ concurrency: 8 })`, and `concurrency: 1` (the baseline of the 6x goal);
 * - a sequential script over the official SDK core (`HcClient.sendRequest`, as the generated DCS
 *   client would call it): list the instances, then for each analysable one its logical nodes,
 *   one analysis per shard (a replica where the shard has an active one, else the master: our
 *   choice), the task list polled every 250 ms until the task finished, then its report.
 *
 * Both wait with the same cadence (ours told to look every 250 ms too), so that the difference is
 * the concurrency. The results must agree: the same analysed instances, and per instance the same
 * merged biggest key. One round each after a warm-up (the row takes about a minute); the emulator runs in this
 * process (every contender waits on it alike; the work is almost all waiting).
 */
import { DcsClient, Fleet } from "@effect-dcs/core"
import { DcsEmulator, NodeDcsClient } from "@effect-dcs/node"
import { Chunk, Effect, Redacted, Schedule, Stream } from "effect"
import { accessKeyId, projectId, secretAccessKey } from "../fixtures.js"
import { formatSeconds, type Row, verdict } from "../harness.js"
import { makeHcClient, type SendOptions } from "../official.js"
import type { Benchmark } from "./types.js"

const GOAL_OVER_SEQUENTIAL = 6
const GOAL_OVER_OFFICIAL = 5
const POLL_MILLIS = 250
const fleetDefinition = DcsEmulator.generateFleet({ seed: 2, size: 22 })

/** Instance id → the merged biggest key. */
type Results = ReadonlyMap<string, string>

// ---------------------------------------------------------------------------------------------
// Ours
// ---------------------------------------------------------------------------------------------

const ours = (endpoint: string, concurrency: number): Promise<Results> =>
  DcsClient.analyzeFleet({ concurrency, schedule: Schedule.spaced(`${POLL_MILLIS} millis`) }).pipe(
    Stream.runCollect,
    Effect.map((outcomes) => {
      const results = new Map<string, string>()
      for (const outcome of Chunk.toReadonlyArray(outcomes)) {
        if (outcome._tag === "Failed") {
          throw new Error(`ours failed on ${outcome.instance.id}: ${outcome.error.message}`)
        }
        if (outcome._tag === "Analyzed") results.set(outcome.instance.id, outcome.analysis.largestKeys[0]?.key ?? "")
      }
      // The summary is part of the work (the fleet's biggest keys), as the CLI prints it.
      Fleet.summarizeFleet(Chunk.toReadonlyArray(outcomes))
      return results as Results
    }),
    Effect.provide(
      NodeDcsClient.layer({
        endpoint,
        projectId,
        credentials: { accessKeyId, secretAccessKey: Redacted.make(secretAccessKey) }
      })
    ),
    Effect.runPromise
  )

// ---------------------------------------------------------------------------------------------
// A sequential script over the official SDK core
// ---------------------------------------------------------------------------------------------

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))

const officialScript = async (endpoint: string, maxInstances = Infinity): Promise<Results> => {
  const client = makeHcClient(endpoint)
  const send = (
    method: string,
    url: string,
    pathParams: Record<string, string>,
    queryParams: Record<string, number> = {},
    data?: unknown
  ) => {
    const options: SendOptions = {
      method,
      url,
      contentType: "application/json",
      queryParams,
      pathParams,
      headers: {},
      ...(data === undefined ? {} : { data })
    }
    options.responseHeaders = [""]
    // The SDK returns the parsed JSON untyped; the script reads the fields it needs, as a user script would.
    return client.sendRequest(options) as Promise<any>
  }
  const analysisUrl = "/v2/{project_id}/instances/{instance_id}/offline/key-analysis"
  const results = new Map<string, string>()
  const list = await send("GET", "/v2/{project_id}/instances", {}, { offset: 0, limit: 1000 })
  for (const instance of (list.instances as ReadonlyArray<any>).slice(0, maxInstances)) {
    const id = instance.instance_id as string
    if (
      instance.engine === "Memcached" || /^[0-3](\.|$)/.test(instance.engine_version) || instance.status !== "RUNNING"
    ) {
      continue
    }
    const { nodes } = await send("GET", "/v2/{project_id}/instances/{instance_id}/logical-nodes", { instance_id: id })
    const shards = new Map<string, Array<any>>()
    for (const node of nodes as ReadonlyArray<any>) {
      if (node.node_type === "proxy") continue
      const shard = String(node.group_id ?? node.group_name ?? "")
      shards.set(shard, [...(shards.get(shard) ?? []), node])
    }
    const keys: Array<{ key: string; bytes: number }> = []
    for (const members of shards.values()) {
      const active = members.filter((node) => String(node.status ?? "active").toLowerCase() === "active")
      const node = active.find((n) => n.node_type === "slave") ?? active.find((n) => n.node_type === "master")
      const created = await send("POST", analysisUrl, { instance_id: id }, {}, { node_id: node.node_id })
      const taskId = created.id ?? created.task_id
      for (;;) {
        await sleep(POLL_MILLIS)
        const page = await send("GET", analysisUrl, { instance_id: id }, { offset: 0, limit: 100 })
        const task = (page.records as ReadonlyArray<any>).find((record) => record.id === taskId)
        if (task?.status === "success") break
        if (task?.status === "failed") throw new Error(`the official script's task ${taskId} failed`)
      }
      const report = await send("GET", `${analysisUrl}/{task_id}`, { instance_id: id, task_id: taskId })
      keys.push(...report.largest_keys)
    }
    keys.sort((x, y) => y.bytes - x.bytes)
    results.set(id, keys[0]?.key ?? "")
  }
  return results
}

// ---------------------------------------------------------------------------------------------
// The row
// ---------------------------------------------------------------------------------------------

const timed = async (run: () => Promise<Results>) => {
  const started = performance.now()
  const results = await run()
  return { results, seconds: (performance.now() - started) / 1000 }
}

const sameResults = (x: Results, y: Results): boolean =>
  x.size === y.size && [...x].every(([id, key]) => y.get(id) === key)

export const fleet: Benchmark = {
  name: "fleet",
  run: ({ log }) =>
    Effect.gen(function*() {
      const emulator = yield* DcsEmulator.make({
        projectId,
        credentials: { accessKeyId, secretAccessKey },
        instances: fleetDefinition,
        analysis: { waitingFor: "200 millis", runningFor: "800 millis" }
      })
      const endpoint = emulator.url
      const run = (label: string, f: () => Promise<Results>) =>
        Effect.promise(async () => {
          const result = await timed(f)
          log(`  ${label}: ${formatSeconds(result.seconds)}, ${result.results.size} instances analysed`)
          return result
        })
      // One unmeasured run of each first: loading and compiling the code paths (about a second of
      // the first run's 4) is not what the row measures. The official script's is one listing.
      yield* run("warm-up: ours, concurrency 8", () => ours(endpoint, 8))
      yield* run("warm-up: official SDK listing", () => officialScript(endpoint, 0))
      const at8 = yield* run("ours, concurrency 8", () => ours(endpoint, 8))
      const at1 = yield* run("ours, concurrency 1", () => ours(endpoint, 1))
      const official = yield* run("official SDK script", () => officialScript(endpoint))
      const agree = sameResults(at8.results, at1.results) && sameResults(at8.results, official.results)
      if (!agree) throw new Error("the fleet contenders disagree on the analysed instances or their biggest keys")
      const overSequential = at1.seconds / at8.seconds
      const overOfficial = official.seconds / at8.seconds
      const benchmark = `6. fleet ${fleetDefinition.length} instances (${at8.results.size} analysed), 1 s analyses`
      const row = (contender: string, seconds: number, ratio: string, goal: string): Row => ({
        benchmark,
        contender,
        median: formatSeconds(seconds),
        cpu: "",
        spread: "1 round",
        ratio,
        goal
      })
      return [
        row("ours, analyzeFleet concurrency 8", at8.seconds, "1.00x", "same results: met"),
        row(
          "ours, analyzeFleet concurrency 1",
          at1.seconds,
          `8 is ${overSequential.toFixed(2)}x faster`,
          `>= ${GOAL_OVER_SEQUENTIAL}x: ${verdict(overSequential >= GOAL_OVER_SEQUENTIAL)}`
        ),
        row(
          "official SDK core, sequential script",
          official.seconds,
          `8 is ${overOfficial.toFixed(2)}x faster`,
          `>= ${GOAL_OVER_OFFICIAL}x: ${verdict(overOfficial >= GOAL_OVER_OFFICIAL)}`
        )
      ]
    }).pipe(Effect.scoped, Effect.runPromise)
}
