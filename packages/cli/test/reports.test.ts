/**
 * `show --chart`, `diff` and `report` as a user runs them: a child process against an emulator
 * whose reports evolve with time (so successive analyses of a node differ as real ones do).
 */
import { DcsEmulator } from "@effect-dcs/node"
import * as HtmlReport from "@effect-dcs/report/HtmlReport"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as ChildProcess from "node:child_process"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { binPath, cleanEnv, hasScript, packageDir, registerSecret, runAll, runCli } from "./support/cli.js"

const secretKey = `cli-report-secret-${Crypto.randomUUID()}`
registerSecret(secretKey)

const T = Date.UTC(2024, 9, 15, 2, 21, 18)
/** One node: every task is of it. */
const single = "a1b2c3d4-0000-4000-8000-000000000001"
/** Two nodes (the emulator's default master and slave). */
const twoNodes = "a1b2c3d4-0000-4000-8000-000000000002"
/** One successful analysis only. */
const lonely = "a1b2c3d4-0000-4000-8000-000000000003"
const singleTasks = DcsEmulator.generateTasks(30, { seed: 3, now: T })
const successes = singleTasks.filter((task) => task.status === "success")
/** A task that has not succeeded (waiting or running): no report. */
const unfinished = singleTasks.find((task) => task.status !== "success")!

const Emulator = DcsEmulator.layer({
  credentials: { accessKeyId: "CLIREPORTACCESSKEY", secretAccessKey: secretKey },
  instances: [
    { id: single, nodes: [{ id: "node-a" }], tasks: singleTasks },
    { id: twoNodes, tasks: DcsEmulator.generateTasks(40, { seed: 4, now: T }) },
    { id: lonely, nodes: [{ id: "node-a" }], tasks: [successes[0]!] }
  ]
})

const envFor = (emulator: DcsEmulator.DcsEmulator["Type"], extra: Record<string, string> = {}) => {
  const env = cleanEnv({
    DCS_ENDPOINT: emulator.url,
    DCS_PROJECT_ID: emulator.projectId,
    CLOUD_SDK_AK: emulator.credentials.accessKeyId,
    CLOUD_SDK_SK: secretKey,
    ...extra
  })
  if (extra.COLUMNS === undefined) delete env.COLUMNS
  if (extra.NO_COLOR === undefined) delete env.NO_COLOR
  return env
}

const ansi = /\u001b\[/
const tmp = () => Fs.mkdtempSync(Path.join(Os.tmpdir(), "dcs-cli-report-"))
const slow = 180_000
const finished = (task: DcsEmulator.WireTask) => Date.parse(task.finished_at!)

/** Runs the tool with a terminal on stdout (`script`), and answers what the terminal showed. */
const onTerminal = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.promise(() =>
    new Promise<{ status: number | null; stdout: string }>((resolve, reject) => {
      const command = `"${process.execPath}" --import tsx "${binPath}" ${args.join(" ")} 2>/dev/null`
      const child = ChildProcess.spawn("script", ["-qec", command, "/dev/null"], {
        cwd: packageDir,
        env,
        stdio: ["ignore", "pipe", "inherit"]
      })
      let stdout = ""
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
      child.on("error", reject)
      child.on("close", (status) => resolve({ status, stdout }))
    })
  )

layer(Emulator, { excludeTestServices: true })("reports people look at", (it) => {
  describe("show --chart", () => {
    it.effect(
      "bar charts of the keys, prefixes and types, as wide as asked, plain off a terminal",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const task = successes[0]!
          const expected = DcsEmulator.reportAt(single, finished(task))
          const [[plain, both], wide] = yield* Effect.all([
            runAll([["show", single, task.id, "--chart"], ["show", single, task.id, "--chart", "--json"]], {
              env: envFor(emulator)
            }),
            runCli(["show", single, task.id, "--chart"], { env: envFor(emulator, { COLUMNS: "120" }) })
          ])
          if (plain === undefined || both === undefined) throw new Error("two runs")
          expect(plain.code).toBe(0)
          expect(plain.stdout).not.toMatch(ansi)
          expect(plain.stdout).toContain("Biggest keys (20 listed)")
          expect(plain.stdout).toContain("Key prefixes by size (nested prefixes overlap)")
          expect(plain.stdout).toContain("Memory by type")
          expect(plain.stdout).toContain("█")
          const biggest = expected.largest_keys[0]!
          const biggestLine = plain.stdout.split("\n").find((line) => line.startsWith(biggest.key))
          expect(biggestLine).toMatch(new RegExp(`^${biggest.key}\\s+${biggest.type}\\s+█+`))
          const chartLines = plain.stdout.split("\n").slice(
            plain.stdout.split("\n").indexOf("Biggest keys (20 listed)")
          )
          expect(Math.max(...chartLines.map((line) => line.length))).toBeLessThanOrEqual(80)
          expect(Math.max(...chartLines.map((line) => line.length))).toBeGreaterThan(70)
          const wideLines = wide.stdout.split("\n").slice(wide.stdout.split("\n").indexOf("Biggest keys (20 listed)"))
          expect(Math.max(...wideLines.map((line) => line.length))).toBeGreaterThan(100)
          expect(Math.max(...wideLines.map((line) => line.length))).toBeLessThanOrEqual(120)
          expect(both.code).toBe(2)
          expect(both.stderr).toContain("choose one")
        }),
      slow
    )

    it.effect.skipIf(!hasScript())(
      "colours on a terminal, none with NO_COLOR",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const args = ["show", single, successes[0]!.id, "--chart"]
          const coloured = yield* onTerminal(args, envFor(emulator))
          const plain = yield* onTerminal(args, envFor(emulator, { NO_COLOR: "1" }))
          expect(coloured.status).toBe(0)
          expect(coloured.stdout).toMatch(ansi)
          expect(plain.status).toBe(0)
          expect(plain.stdout).toContain("Biggest keys")
          expect(plain.stdout).not.toMatch(ansi)
        }),
      slow
    )
  })

  describe("diff", () => {
    it.effect(
      "two tasks: a table; --json: the documented shape, with the emulator's figures",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const [after, before] = [successes[0]!, successes[1]!]
          const [table, json] = yield* runAll([
            ["diff", single, before.id, after.id],
            ["diff", single, before.id, after.id, "--json"]
          ], { env: envFor(emulator) })
          expect(table!.code).toBe(0)
          expect(table!.stdout).toMatch(new RegExp(`^before  task ${before.id}  node node-a`))
          expect(table!.stdout).toContain("Prefixes that changed most")
          expect(table!.stdout).toContain("By type")
          expect(table!.stdout).not.toMatch(ansi)

          expect(json!.code).toBe(0)
          const doc = JSON.parse(json!.stdout)
          const [b, a] = [DcsEmulator.reportAt(single, finished(before)), DcsEmulator.reportAt(single, finished(after))]
          expect(doc.before).toMatchObject({ task_id: before.id, node_id: "node-a", total_bytes: b.total_bytes })
          expect(doc.after).toMatchObject({ task_id: after.id, node_id: "node-a", total_bytes: a.total_bytes })
          expect(doc).toMatchObject({ same_instance: true, same_node: true, order: "chronological", threshold: null })
          expect(doc.totals.bytes).toEqual({
            before: b.total_bytes,
            after: a.total_bytes,
            delta: a.total_bytes - b.total_bytes,
            relative: (a.total_bytes - b.total_bytes) / b.total_bytes
          })
          expect(doc.types.map((t: { type: string }) => t.type)).toEqual(["string", "list", "set", "zset", "hash"])
          // Every prefix is listed in both (13 of a top 20): exact changes.
          for (const prefix of doc.prefixes) {
            expect(prefix.bytes.delta.exact).toBe(true)
            expect(Object.keys(prefix)).toEqual(["key_prefix", "type", "kind", "label", "bytes", "keys"])
          }
          // Keys of a full top 20: a key new in the list grew by a bound, never an invented figure.
          for (const key of doc.keys) {
            if (key.kind === "new") {
              expect(key.bytes.delta.exact).toBe(false)
              expect(key.bytes.text).toMatch(/^at least \+|^between|^at most/)
            }
          }
        }),
      slow
    )

    it.effect(
      "--last: the two newest successful analyses of one node; --node chooses it",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const [master, slave] = yield* emulator.nodes(twoNodes)
          const [last, ofSlave, ofMaster] = yield* runAll([
            ["diff", single, "--last", "--json"],
            ["diff", twoNodes, "--last", "--node", slave!.id, "--json"],
            ["diff", twoNodes, "--last", "--node", master!.id]
          ], { env: envFor(emulator) })
          expect(last!.code).toBe(0)
          const doc = JSON.parse(last!.stdout)
          expect([doc.before.task_id, doc.after.task_id]).toEqual([successes[1]!.id, successes[0]!.id])
          expect(ofSlave!.code).toBe(0)
          const slaves = JSON.parse(ofSlave!.stdout)
          expect(slaves.before.node_id).toBe(slave!.id)
          expect(slaves.after.node_id).toBe(slave!.id)
          expect(Date.parse(slaves.after.finished_at)).toBeGreaterThan(Date.parse(slaves.before.finished_at))
          expect(ofMaster!.code).toBe(0)
          expect(ofMaster!.stderr).toContain(`comparing the last two successful analyses of node ${master!.id}`)
        }),
      slow
    )

    it.effect(
      "--fail-on-growth and --fail-on-growth-bytes: exit 1 naming what crossed, 0 below",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const [tiny, huge, bytes, both, bad] = yield* runAll([
            ["diff", single, "--last", "--fail-on-growth", "0.01%"],
            ["diff", single, "--last", "--fail-on-growth", "1000%", "--json"],
            ["diff", single, "--last", "--fail-on-growth-bytes", "1KiB", "--json"],
            ["diff", single, "--last", "--fail-on-growth", "0.01%", "--fail-on-growth-bytes", "1000TB", "--json"],
            ["diff", single, "--last", "--fail-on-growth", "lots"]
          ], { env: envFor(emulator) })
          expect(tiny!.code).toBe(1)
          expect(tiny!.stdout).toContain("By type")
          expect(tiny!.stderr).toMatch(/growth past the threshold \(0\.0%\) in \d+ entr/)
          expect(tiny!.stderr).toMatch(/ {2}(prefix "[^"]+" \(\w+\)|type \w+|total): \+/)

          expect(huge!.code).toBe(0)
          expect(JSON.parse(huge!.stdout).threshold).toEqual({ ratio: 10, bytes: null, crossed: [] })

          expect(bytes!.code).toBe(1)
          const crossed = JSON.parse(bytes!.stdout).threshold.crossed
          expect(crossed.length).toBeGreaterThan(0)
          for (const entry of crossed) {
            expect(entry.bytes_at_least).toBeGreaterThanOrEqual(1024)
            expect(Object.keys(entry)).toEqual(["kind", "name", "type", "bytes_at_least", "ratio_at_least", "text"])
          }
          // Both given: an entry must cross both.
          expect(both!.code).toBe(0)
          expect(bad!.code).toBe(2)
          expect(bad!.stderr).toContain("--fail-on-growth must be a positive percentage")
        }),
      slow
    )

    it.effect(
      "errors: an unknown task (DCS.4232, 1), a task without a report (1), too few analyses (1), usage (2)",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const [unknown, notDone, tooFew, oneId, lastWithIds, nodeWithoutLast] = yield* runAll([
            ["diff", single, successes[0]!.id, "no-such-task"],
            ["diff", single, unfinished.id, successes[0]!.id],
            ["diff", lonely, "--last"],
            ["diff", single, successes[0]!.id],
            ["diff", single, "--last", successes[0]!.id],
            ["diff", single, successes[1]!.id, successes[0]!.id, "--node", "node-a"]
          ], { env: envFor(emulator) })
          expect(unknown!.code).toBe(1)
          expect(unknown!.stderr).toContain("DCS.4232")
          expect(notDone!.code).toBe(1)
          expect(notDone!.stderr).toContain(`task ${unfinished.id} has no report`)
          expect(tooFew!.code).toBe(1)
          expect(tooFew!.stderr).toContain(
            `No previous successful offline key analysis of instance ${lonely}, node node-a: only one succeeded`
          )
          expect(tooFew!.stderr).toContain(`analyze ${lonely} --node node-a`)
          for (const usage of [oneId, lastWithIds, nodeWithoutLast]) expect(usage!.code).toBe(2)
          expect(oneId!.stderr).toContain("give the task before and the task after, or --last")
        }),
      slow
    )
  })

  describe("report", () => {
    it.effect(
      "writes one HTML page, prints its path; the page's data reads back; --compare writes a comparison",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const dir = tmp()
          const [after, before] = [successes[0]!, successes[1]!]
          const out = Path.join(dir, "r.html")
          const compared = Path.join(dir, "c.html")
          const [page, comparison, noReport, defaultPath] = yield* runAll([
            ["report", single, after.id, "--out", out],
            ["report", single, after.id, "--compare", before.id, "--out", compared],
            ["report", single, unfinished.id, "--out", Path.join(dir, "never.html")],
            ["report", single, after.id]
          ], { env: envFor(emulator) })
          expect(page!.code).toBe(0)
          expect(page!.stdout.trim()).toBe(out)
          const html = Fs.readFileSync(out, "utf8")
          expect(html).toMatch(/^<!doctype html>/i)
          expect(html).not.toMatch(/<script(?![^>]*type="application\/json")/i)
          const data = HtmlReport.readEmbedded(html)
          expect(Either.isRight(data)).toBe(true)
          const embedded = Either.getOrThrow(data)
          expect(embedded._tag).toBe("Report")
          if (embedded._tag === "Report") {
            expect(embedded.report.totalBytes._tag === "Some" && embedded.report.totalBytes.value).toBe(
              DcsEmulator.reportAt(single, finished(after)).total_bytes
            )
          }

          expect(comparison!.code).toBe(0)
          const both = Either.getOrThrow(HtmlReport.readEmbedded(Fs.readFileSync(compared, "utf8")))
          expect(both._tag).toBe("Comparison")

          expect(noReport!.code).toBe(1)
          expect(Fs.existsSync(Path.join(dir, "never.html"))).toBe(false)

          const expectedDefault = Path.join(packageDir, `dcs-report-${single}-${after.id}.html`)
          try {
            expect(defaultPath!.code).toBe(0)
            expect(defaultPath!.stdout.trim()).toBe(expectedDefault)
            expect(Fs.existsSync(expectedDefault)).toBe(true)
          } finally {
            Fs.rmSync(expectedDefault, { force: true })
          }
        }),
      slow
    )

    it.effect.skipIf(process.platform !== "linux")(
      "--open: with xdg-open on PATH, opens the page; without, says so",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const dir = tmp()
          const bin = Path.join(dir, "bin")
          Fs.mkdirSync(bin)
          const opened = Path.join(dir, "opened.txt")
          Fs.writeFileSync(Path.join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s' "$1" > "${opened}"\n`, { mode: 0o755 })
          const out = Path.join(dir, "r.html")
          const [withOpener, withoutOpener] = yield* Effect.all([
            runCli(["report", single, successes[0]!.id, "--out", out, "--open"], {
              env: envFor(emulator, { PATH: bin })
            }),
            runCli(["report", single, successes[0]!.id, "--out", Path.join(dir, "s.html"), "--open"], {
              env: envFor(emulator, { PATH: Path.join(dir, "empty") })
            })
          ], { concurrency: 2 })
          expect(withOpener.code).toBe(0)
          expect(withOpener.stderr).toContain("opened in the default browser")
          // The opener runs detached: wait for it to have written what it was given.
          for (let i = 0; i < 100 && !Fs.existsSync(opened); i++) yield* Effect.promise(() => sleep(50))
          expect(Fs.readFileSync(opened, "utf8")).toBe(out)
          expect(withoutOpener.code).toBe(0)
          expect(withoutOpener.stderr).toContain("no browser opener here")
          expect(withoutOpener.stdout.trim()).toBe(Path.join(dir, "s.html"))
        }),
      slow
    )
  })
})

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))
