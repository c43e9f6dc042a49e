/**
 * `--emulator`: every command against the emulator the tool starts in its own process, with no
 * configuration at all.
 */
import { DcsEmulator } from "@effect-dcs/node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ndjson, runAll, runCli } from "./support/cli.js"

const instanceId = DcsEmulator.defaultInstanceId
const unsupportedId = "0e6ad7a3-30c0-4d2b-9b52-3f0a7c4e1d85"
// The tool seeds its emulator with these (the ids and statuses do not depend on the time).
const seeded = DcsEmulator.generateTasks(250)
const succeeded = seeded.filter((task) => task.status === "success")

describe("--emulator", () => {
  it.effect("prints the emulator's instance and node ids on stderr, and lists its tasks", () =>
    Effect.gen(function*() {
      const result = yield* runCli(["list", instanceId, "--emulator", "--json", "--limit", "5"])
      expect(result.code).toBe(0)
      expect(ndjson(result.stdout).map((record) => record.id)).toEqual(seeded.slice(0, 5).map((task) => task.id))
      expect(result.stderr).toMatch(/^emulator: a DCS emulator at http:\/\/127\.0\.0\.1:\d+/m)
      expect(result.stderr).toMatch(new RegExp(`^  instance ${instanceId}  250 tasks`, "m"))
      expect(result.stderr).toMatch(/^ {4}node {3}[0-9a-f-]{36}  redis-\S+ \(master\)$/m)
      expect(result.stderr).toMatch(/^ {4}node {3}[0-9a-f-]{36}  redis-\S+ \(slave\)$/m)
      expect(result.stderr).toContain(`instance ${unsupportedId}  no offline key analysis (DCS.4230)`)
    }), 120_000)

  it.effect("analyze, show, nodes, wait, delete; and an API error", () =>
    Effect.gen(function*() {
      const banner = yield* runCli(["list", instanceId, "--emulator", "--limit", "1"])
      const nodeId = /^ {4}node {3}([0-9a-f-]{36})/m.exec(banner.stderr)![1]!
      const task = succeeded[0]!
      const [analyzed, shown, nodes, waited, deleted, unsupported] = yield* runAll([
        ["analyze", instanceId, "--node", nodeId, "--emulator"],
        ["show", instanceId, task.id, "--emulator", "--json"],
        ["nodes", instanceId, task.id, "--emulator"],
        ["wait", instanceId, task.id, "--emulator"],
        ["delete", instanceId, task.id, "--emulator"],
        ["list", unsupportedId, "--emulator"]
      ])

      expect(analyzed!.code).toBe(0)
      expect(analyzed!.stdout).toMatch(/^Status\s+success$/m)
      expect(analyzed!.stdout).toMatch(new RegExp(`^Node\\s+${nodeId}  \\(master`, "m"))
      expect(analyzed!.stdout).toMatch(/^Biggest keys \(20\)\nKEY\s+TYPE\s+SIZE\s+ELEMENTS$/m)
      expect(analyzed!.stderr).toMatch(/^created task [0-9a-f-]{36} \(node /m)
      expect(analyzed!.stderr).toMatch(/: waiting$/m)
      expect(analyzed!.stderr).toMatch(/: success \(waited \d+s\)$/m)

      expect(shown!.code).toBe(0)
      expect(JSON.parse(shown!.stdout)).toMatchObject({ id: task.id, instance_id: instanceId })

      expect(nodes!.code).toBe(0)
      expect(nodes!.stdout).toMatch(/^ID\s+NAME\s+GROUP\s+IPV6$/m)

      expect(waited!.code).toBe(0)
      expect(waited!.stdout).toMatch(new RegExp(`^${task.id}\\s+success\\s`, "m"))
      expect(waited!.stderr).toMatch(/: success \(waited/)

      expect(deleted!.code).toBe(0)
      expect(deleted!.stdout.trim()).toBe(`deleted task ${task.id}`)

      expect(unsupported!.code).toBe(1)
      expect(unsupported!.stderr).toMatch(
        /^DCS\.4230: Does not support offline key analysis\. \(request id [0-9a-f]{32}\)$/m
      )
    }), 240_000)

  it.effect(
    "seeds a small fleet too: `instances` lists the instance, the unsupported one and 12 generated ones",
    () =>
      Effect.gen(function*() {
        const result = yield* runCli(["instances", "--emulator", "--json"])
        expect(result.code).toBe(0)
        expect(ndjson(result.stdout).map((record) => record.id)).toEqual([
          instanceId,
          unsupportedId,
          ...DcsEmulator.generateFleet({ seed: 1, size: 12 }).map((instance) => instance.id)
        ])
        expect(result.stderr).toContain("a fleet of 12 generated instances of every kind")
      }),
    120_000
  )
})
