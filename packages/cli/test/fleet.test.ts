/**
 * The fleet commands (`instances`, `nodes <instance>`, `analyze <instance>`, `fleet`) as a child
 * process against an emulator serving a seeded fleet, started by the test.
 */
import { DcsEmulator } from "@effect-dcs/node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as ChildProcess from "node:child_process"
import * as Crypto from "node:crypto"
import { binPath, cleanEnv, ndjson, packageDir, registerSecret, runAll, runCli } from "./support/cli.js"

const secretKey = `cli-fleet-secret-${Crypto.randomUUID()}`
registerSecret(secretKey)

const fleet = DcsEmulator.generateFleet({ seed: 1, size: 12 })
const at = (index: number) => fleet[index]!
const cluster = at(1)
const creating = at(7)

const Emulator = DcsEmulator.layer({
  credentials: { accessKeyId: "CLIFLEETACCESSKEY", secretAccessKey: secretKey },
  instances: fleet,
  analysis: { waitingFor: "200 millis", runningFor: "300 millis" }
})

const envFor = (emulator: DcsEmulator.DcsEmulator["Type"]) =>
  cleanEnv({
    DCS_ENDPOINT: emulator.url,
    DCS_PROJECT_ID: emulator.projectId,
    CLOUD_SDK_AK: emulator.credentials.accessKeyId,
    CLOUD_SDK_SK: secretKey
  })

const expectedOutcome = (instance: DcsEmulator.Instance): string => {
  if (instance.engine === "Memcached" || instance.engineVersion?.startsWith("3.")) return "Unsupported"
  return instance.status === "RUNNING" ? "Analyzed" : "Skipped"
}

const definedBiggestKey = (instance: DcsEmulator.Instance) =>
  instance.nodes!.filter((node) => node.role !== "proxy" && node.report !== undefined)
    .flatMap((node) => node.report!.largest_keys.map((key) => ({ ...key, shard: node.groupName })))
    .sort((x, y) => y.bytes - x.bytes)[0]!

const slow = 180_000

layer(Emulator, { excludeTestServices: true })("fleet commands", (it) => {
  describe("instances", () => {
    it.effect(
      "a table, or NDJSON; --name (fuzzy or --name-equal), --status and --tag filter on the service",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const [tag, value] = Object.entries(cluster.tags!)[0]!
          const [table, json, running, exact, tagged] = yield* runAll([
            ["instances"],
            ["instances", "--json"],
            ["instances", "--status", "RUNNING", "--json"],
            ["instances", "--name", cluster.name!, "--name-equal", "--json"],
            ["instances", "--tag", `${tag}=${value}`, "--json"]
          ], { env: envFor(emulator) })
          expect(table!.code).toBe(0)
          expect(table!.stdout).toMatch(/^ID\s+NAME\s+ENGINE\s+STATUS\s+CAPACITY\s+MEMORY \(USED \/ MAX\)\s+ADDRESS$/m)
          expect(table!.stdout).toMatch(
            new RegExp(`^${cluster.id}\\s+${cluster.name}\\s+Redis 5\\.0\\s+RUNNING\\s`, "m")
          )
          expect(table!.stdout).toMatch(new RegExp(`^${at(6).id}\\s+\\S+\\s+Memcached\\s+RUNNING\\s`, "m"))
          expect(table!.stderr).toContain(`${fleet.length} instances`)

          expect(json!.code).toBe(0)
          const records = ndjson(json!.stdout)
          expect(records.map((record) => record.id)).toEqual(fleet.map((instance) => instance.id))
          expect(records[1]).toMatchObject({
            id: cluster.id,
            name: cluster.name,
            engine: "Redis",
            engineVersion: "5.0",
            status: "RUNNING"
          })
          expect(typeof records[1]!.createdAt).toBe("string")

          expect(ndjson(running!.stdout).map((record) => record.id)).toEqual(
            fleet.filter((instance) => instance.status === "RUNNING").map((instance) => instance.id)
          )
          expect(ndjson(exact!.stdout).map((record) => record.id)).toEqual([cluster.id])
          expect(ndjson(tagged!.stdout).map((record) => record.id)).toEqual(
            fleet.filter((instance) => instance.tags?.[tag] === value).map((instance) => instance.id)
          )
          const bad = yield* runCli(["instances", "--status", "running"], { env: envFor(emulator) })
          expect(bad.code).toBe(2)
        }),
      slow
    )
  })

  describe("nodes <instance>", () => {
    it.effect("lists the instance's logical nodes: a table, or NDJSON", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const [table, json] = yield* runAll([["nodes", cluster.id], ["nodes", cluster.id, "--json"]], {
          env: envFor(emulator)
        })
        expect(table!.code).toBe(0)
        expect(table!.stdout).toMatch(/^NODE ID\s+TYPE\s+SHARD\s+STATUS\s+ADDRESS\s+AZ$/m)
        for (const node of cluster.nodes!) {
          expect(table!.stdout).toMatch(new RegExp(`^${node.id}\\s+${node.role}\\s+${node.groupName}\\s`, "m"))
        }
        expect(json!.code).toBe(0)
        expect(ndjson(json!.stdout).map((node) => [node.nodeId, node.nodeType, node.groupName])).toEqual(
          cluster.nodes!.map((node) => [node.id, node.role, node.groupName])
        )
      }), slow)
  })

  describe("analyze <instance>", () => {
    it.effect(
      "analyses every shard on a replica and prints the merged report, its biggest key from group-1",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const replicas = cluster.nodes!.filter((node) => node.role === "slave")
          const biggest = definedBiggestKey(cluster)
          // One after the other: two analyses of the same nodes at once would meet each other's tasks.
          const env = envFor(emulator)
          const table = yield* runCli(["analyze", cluster.id], { env })
          const json = yield* runCli(["analyze", cluster.id, "--json"], { env })
          const chart = yield* runCli(["analyze", cluster.id, "--chart"], { env: { ...env, COLUMNS: "100" } })
          expect(table.code).toBe(0)
          for (const node of replicas) {
            expect(table.stderr).toMatch(new RegExp(`^created task \\S+ \\(node ${node.id}\\)$`, "m"))
          }
          expect(table.stderr).toMatch(new RegExp(`^analysed ${replicas.length} shard\\(s\\) in `, "m"))
          expect(table.stdout).toMatch(
            /^Biggest keys, all shards \(\d+\)\nKEY\s+TYPE\s+SIZE\s+ELEMENTS\s+SHARD\s+NODE\n/m
          )
          const firstKey = /^Biggest keys, all shards \(\d+\)\n.*\n(.*)$/m.exec(table.stdout)![1]!
          expect(firstKey).toMatch(
            new RegExp(`^${biggest.key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s.*\\sgroup-1\\s`)
          )

          expect(json.code).toBe(0)
          const analysis = JSON.parse(json.stdout)
          expect(analysis.instanceId).toBe(cluster.id)
          expect(analysis.largestKeys[0]).toMatchObject({ key: biggest.key, bytes: biggest.bytes, shard: "group-1" })
          expect(analysis.nodes.map((n: any) => n.node.nodeId).sort()).toEqual(replicas.map((node) => node.id).sort())

          // --chart draws the merged report: the biggest key's bar first, no chart line wider than the terminal.
          expect(chart.code).toBe(0)
          const bars = /^Biggest keys \(\d+ listed\)\n(.*)$/m.exec(chart.stdout)
          expect(bars?.[1]).toMatch(new RegExp(`^${biggest.key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s.*█`))
          const charts = chart.stdout.slice(chart.stdout.indexOf("Biggest keys ("))
          for (const line of charts.split("\n")) expect(line.length).toBeLessThanOrEqual(100)
        }),
      slow
    )

    it.effect("attaches to an analysis already running on a node, and says so", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const env = envFor(emulator)
        const instance = at(0)
        const replica = instance.nodes!.find((node) => node.role === "slave")!
        yield* emulator.setAnalysisSettings({ runningFor: "20 seconds" })
        // A task started elsewhere (`analyze --node` interrupted once its task exists).
        const started = yield* Effect.promise(() =>
          new Promise<string>((resolve, reject) => {
            const child = ChildProcess.spawn(
              process.execPath,
              ["--import", "tsx", binPath, "analyze", instance.id, "--node", replica.id],
              { cwd: packageDir, env, stdio: ["ignore", "pipe", "pipe"] }
            )
            let stderr = ""
            child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
              stderr += chunk
              const found = /^created task (\S+) /m.exec(stderr)
              if (found) {
                child.kill("SIGINT")
                resolve(found[1]!)
              }
            })
            child.on("error", reject)
          })
        )
        yield* emulator.setAnalysisSettings({ runningFor: "300 millis" })
        const attached = yield* runCli(["analyze", instance.id], { env })
        expect(attached.code).toBe(0)
        expect(attached.stderr).toContain(`attached to task ${started}, already running on node ${replica.id}`)
        expect(attached.stdout).toContain(`task ${started}, attached)`)
      }), slow)

    it.effect(
      "Ctrl+C prints the created tasks' ids and how to wait for them; exit code 130",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const env = envFor(emulator)
          yield* emulator.setAnalysisSettings({ runningFor: "20 seconds" })
          const interrupted = yield* Effect.promise(() =>
            new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
              const child = ChildProcess.spawn(process.execPath, ["--import", "tsx", binPath, "analyze", cluster.id], {
                cwd: packageDir,
                env,
                stdio: ["ignore", "pipe", "pipe"]
              })
              let stderr = ""
              let sent = false
              child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
                stderr += chunk
                const created = stderr.match(/^created task /gm)?.length ?? 0
                if (!sent && created === 3) sent = child.kill("SIGINT")
              })
              child.on("error", reject)
              child.on("close", (code) => resolve({ code, stderr }))
            })
          )
          yield* emulator.setAnalysisSettings({ runningFor: "300 millis" })
          expect(interrupted.code).toBe(130)
          const ids = [...interrupted.stderr.matchAll(/^created task (\S+) /gm)].map((match) => match[1]!)
          expect(ids).toHaveLength(3)
          expect(interrupted.stderr).toContain("interrupted: the analyses go on on the service; wait for them with:")
          for (const id of ids) expect(interrupted.stderr).toContain(`  wait ${cluster.id} ${id}`)
          // The tasks are real: `wait` waits for them.
          const waited = yield* runCli(["wait", cluster.id, ids[0]!], { env })
          expect(waited.code).toBe(0)
        }),
      slow
    )

    it.effect("an instance with no node to analyse: a clear message, exit code 1", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const result = yield* runCli(["analyze", creating.id], { env: envFor(emulator) })
        expect(result.code).toBe(1)
        expect(result.stderr).toContain(`instance ${creating.id} has no node to analyse: it lists no nodes`)
        expect(result.stderr).toContain(`hint: \`nodes ${creating.id}\` lists its nodes`)
        const backupOnly = yield* runCli(["analyze", cluster.id, "--backup", "b-1"], { env: envFor(emulator) })
        expect(backupOnly.code).toBe(2)
        expect(backupOnly.stderr).toContain("--backup names a backup of one node")
      }), slow)
  })

  describe("fleet", () => {
    it.effect(
      "progress on stderr, the fleet table and the fleet's biggest keys; --json one outcome per line; exit 0",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          // One after the other: two fleets analysing the same nodes at once would meet each other's tasks.
          const table = yield* runCli(["fleet", "--concurrency", "6", "--top", "3"], { env: envFor(emulator) })
          const json = yield* runCli(["fleet", "--concurrency", "6", "--json"], { env: envFor(emulator) })
          const analysed = fleet.filter((instance) => expectedOutcome(instance) === "Analyzed")

          expect(table.code).toBe(0)
          expect(table.stderr).toContain(`analysing ${fleet.length} instances`)
          for (let done = 1; done <= fleet.length; done++) {
            expect(table.stderr).toMatch(new RegExp(`^${done} / ${fleet.length} \\S+: \\w+$`, "m"))
          }
          expect(table.stdout).toMatch(/^INSTANCE\s+VERSION\s+SIZE\s+BIGGEST KEY\s+KEY SIZE\s+OUTCOME$/m)
          for (const instance of fleet) {
            const outcome = expectedOutcome(instance)
            const row = table.stdout.split("\n").find((line) => line.startsWith(`${instance.name} `))!
            expect(row).toContain(outcome === "Analyzed" ? "analysed" : outcome.toLowerCase())
            if (outcome === "Analyzed") expect(row).toContain(definedBiggestKey(instance).key)
          }
          expect(table.stdout).toMatch(/^Biggest keys of the fleet \(3\)\nINSTANCE\s+KEY\s+TYPE\s+SIZE\s+SHARD$/m)
          const top = analysed.map((instance) => ({ instance, key: definedBiggestKey(instance) }))
            .sort((x, y) => y.key.bytes - x.key.bytes)[0]!
          expect(table.stdout).toMatch(
            new RegExp(`^Biggest keys of the fleet \\(3\\)\\n.*\\n${top.instance.name}\\s+${top.key.key}\\s`, "m")
          )
          expect(table.stderr).toContain(
            `${fleet.length} instances: ${analysed.length} analysed, 2 unsupported, 3 skipped, 0 failed`
          )

          expect(json.code).toBe(0)
          const outcomes = ndjson(json.stdout)
          expect(outcomes).toHaveLength(fleet.length)
          expect(Object.fromEntries(outcomes.map((o: any) => [o.instance.id, o._tag]))).toEqual(
            Object.fromEntries(fleet.map((instance) => [instance.id, expectedOutcome(instance)]))
          )
          const clusterOutcome = outcomes.find((o: any) => o.instance.id === cluster.id) as any
          expect(clusterOutcome.analysis.largestKeys[0]).toMatchObject({ shard: "group-1" })
          expect(outcomes.find((o: any) => o.instance.id === creating.id)).toMatchObject({
            _tag: "Skipped",
            reason: "CREATING"
          })
        }),
      slow
    )

    it.effect("filters; exit code 1 when an instance failed, naming it", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const failing = at(0)
        yield* emulator.setAnalysisSettings({ failWhen: (request) => request.instanceId === failing.id })
        // One after the other: two runs analysing the same nodes at once would attach to each other's tasks.
        const failed = yield* runCli(["fleet", "--status", "RUNNING", "--concurrency", "8", "--json"], {
          env: envFor(emulator)
        })
        yield* emulator.setAnalysisSettings({ failWhen: undefined })
        const filtered = yield* runCli(["fleet", "--name", cluster.name!, "--name-equal"], { env: envFor(emulator) })
        expect(failed.code).toBe(1)
        const outcomes = ndjson(failed.stdout)
        expect(outcomes.map((o: any) => o.instance.id).sort()).toEqual(
          fleet.filter((instance) => instance.status === "RUNNING").map((instance) => instance.id).sort()
        )
        const failedOutcome = outcomes.find((o: any) => o._tag === "Failed") as any
        expect(failedOutcome.instance.id).toBe(failing.id)
        expect(failedOutcome.error._tag).toBe("DcsAnalysisFailed")
        expect(failed.stderr).toContain(`1 instance(s) failed:\n  ${failing.name} (${failing.id}): `)

        expect(filtered.code).toBe(0)
        expect(filtered.stderr).toContain("1 instances: 1 analysed, 0 unsupported, 0 skipped, 0 failed")
      }), slow)
  })
})
