/**
 * `dcs-key-analysis` as a child process against an emulator started by the test, configured the
 * way users configure it: `DCS_ENDPOINT`, `DCS_PROJECT_ID`, `CLOUD_SDK_AK`, `CLOUD_SDK_SK`.
 */
import { DcsEmulator } from "@effect-dcs/node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as ChildProcess from "node:child_process"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { binPath, cleanEnv, hasScript, ndjson, packageDir, registerSecret, runAll, runCli } from "./support/cli.js"

const secretKey = `cli-test-secret-${Crypto.randomUUID()}`
const securityToken = `cli-test-token-${Crypto.randomUUID()}`
const wrongSecretKey = `cli-test-wrong-secret-${Crypto.randomUUID()}`
for (const secret of [secretKey, securityToken, wrongSecretKey]) registerSecret(secret)

const instanceId = "7d3c1f0e-5b8a-4c2d-9e6f-0a1b2c3d4e5f"
const unsupportedId = "3e0b6a2c-1d4f-4a8b-9c7e-5f6a7b8c9d0e"
const failedTaskId = "f0000000-0000-4000-8000-00000000fa11"
const taskCount = 57

const Emulator = DcsEmulator.layer({
  credentials: { accessKeyId: "CLITESTACCESSKEY", secretAccessKey: secretKey },
  instances: [
    {
      id: instanceId,
      tasks: [
        ...DcsEmulator.generateTasks(taskCount - 1, { now: Date.now() }),
        {
          id: failedTaskId,
          status: "failed",
          created_at: "2020-01-01T00:00:00.000Z",
          started_at: "2020-01-01T00:00:05.000Z",
          finished_at: "2020-01-01T00:00:09.000Z"
        }
      ]
    },
    { id: unsupportedId, supportsKeyAnalysis: false }
  ],
  // Analyses created through the API finish within the waiter's first look (after 1 s).
  analysis: { waitingFor: "200 millis", runningFor: "300 millis" }
})

const envFor = (emulator: DcsEmulator.DcsEmulator["Type"], extra: Record<string, string> = {}) =>
  cleanEnv({
    DCS_ENDPOINT: emulator.url,
    DCS_PROJECT_ID: emulator.projectId,
    CLOUD_SDK_AK: emulator.credentials.accessKeyId,
    CLOUD_SDK_SK: secretKey,
    ...extra
  })

const lines = (text: string): Array<string> => text.split("\n").filter((line) => line !== "")

const ansi = /\u001b\[/

const iso = (wire: unknown): string | null =>
  typeof wire === "string" && wire !== "" ? new Date(wire).toISOString() : null

/** The request id the emulator answered the last request that failed with `code`. */
const requestIdOf = (emulator: DcsEmulator.DcsEmulator["Type"], code: string) =>
  Effect.map(emulator.requests, (requests) => {
    const request = requests.filter((r) => r.errorCode === code).at(-1)
    expect(request, `a request answered ${code}`).toBeDefined()
    return request!.requestId
  })

const slow = 180_000

layer(Emulator, { excludeTestServices: true })("dcs-key-analysis", (it) => {
  describe("list", () => {
    it.effect(
      "prints a page as a table, or as NDJSON; --offset, --limit and --status select",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const env = envFor(emulator)
          const tasks = yield* emulator.tasks(instanceId)
          const [table, json, window, failed] = yield* runAll([
            ["list", instanceId],
            ["list", instanceId, "--json"],
            ["list", instanceId, "--json", "--offset", "5", "--limit", "3"],
            ["list", instanceId, "--status", "failed", "--limit", "100", "--json"]
          ], { env })

          expect(table!.code).toBe(0)
          const rows = lines(table!.stdout)
          expect(rows[0]).toMatch(/^ID\s+STATUS\s+CREATED\s+STARTED\s+FINISHED\s+DURATION$/)
          expect(rows.slice(1).map((row) => row.split(/\s+/)[0])).toEqual(tasks.slice(0, 10).map((task) => task.id))
          expect(rows.slice(1).map((row) => row.split(/\s+/)[1])).toEqual(tasks.slice(0, 10).map((task) => task.status))
          expect(table!.stderr).toContain(`tasks 1-10 of ${tasks.length}; the next page: --offset 10`)

          expect(json!.code).toBe(0)
          expect(json!.stderr).toBe("")
          const records = ndjson(json!.stdout)
          expect(records).toEqual(
            tasks.slice(0, 10).map((task) => ({
              id: task.id,
              status: task.status,
              created_at: iso(task.created_at),
              started_at: iso(task.started_at),
              finished_at: iso(task.finished_at)
            }))
          )

          expect(ndjson(window!.stdout).map((record) => record.id)).toEqual(tasks.slice(5, 8).map((task) => task.id))

          const failedIds = tasks.filter((task) => task.status === "failed").map((task) => task.id)
          expect(failedIds).toContain(failedTaskId)
          expect(ndjson(failed!.stdout).map((record) => record.id)).toEqual(failedIds)
          expect(ndjson(failed!.stdout).every((record) => record.status === "failed")).toBe(true)
        }),
      slow
    )

    it.effect(
      "--all follows every page: the same tasks as the emulator's list, no progress off a terminal",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const tasks = yield* emulator.tasks(instanceId)
          yield* emulator.clearRequests
          const all = yield* runCli(["list", instanceId, "--all", "--json", "--page-size", "10"], {
            env: envFor(emulator)
          })
          expect(all.code).toBe(0)
          expect(all.stderr).toBe("")
          expect(ndjson(all.stdout).map((record) => record.id)).toEqual(tasks.map((task) => task.id))
          const pages = (yield* emulator.requests).filter((request) => request.method === "GET")
          expect(pages.map((request) => request.query)).toEqual(
            Array.from({ length: Math.ceil(tasks.length / 10) }, (_, i) => `offset=${i * 10}&limit=10`)
          )

          const table = yield* runCli(["list", instanceId, "--all", "--page-size", "25"], { env: envFor(emulator) })
          expect(table.code).toBe(0)
          expect(lines(table.stdout)).toHaveLength(tasks.length + 1)
          expect(table.stderr.trim()).toBe(`${tasks.length} tasks`)
        }),
      slow
    )

    it.effect.skipIf(!hasScript())(
      "--all draws records / total on stderr when it is a terminal",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const tasks = yield* emulator.tasks(instanceId)
          const out = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "dcs-cli-tty-")), "tasks.ndjson")
          // `script` gives the tool a terminal for stderr; stdout goes to a file.
          const command = `"${process.execPath}" --import tsx "${binPath}" list ${instanceId} --all --json ` +
            `--page-size 20 > "${out}"`
          // Not spawnSync: the emulator answers from this process's event loop.
          const result = yield* Effect.promise(() =>
            new Promise<{ status: number | null; stdout: string }>((resolve, reject) => {
              const child = ChildProcess.spawn("script", ["-qec", command, "/dev/null"], {
                cwd: packageDir,
                env: envFor(emulator),
                stdio: ["ignore", "pipe", "inherit"]
              })
              let stdout = ""
              child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
              child.on("error", reject)
              child.on("close", (status) => resolve({ status, stdout }))
            })
          )
          expect({ status: result.status, stdout: result.stdout }).toMatchObject({ status: 0 })
          expect(result.stdout).toContain(`20 / ${tasks.length} tasks`)
          expect(result.stdout).toContain(`${tasks.length} / ${tasks.length} tasks`)
          expect(result.stdout).not.toContain(secretKey)
          // Data only on stdout.
          expect(ndjson(Fs.readFileSync(out, "utf8")).map((record) => record.id)).toEqual(tasks.map((task) => task.id))
        }),
      slow
    )
  })

  describe("analyze, show, nodes, wait, delete", () => {
    it.effect(
      "analyze creates a task, waits for it (progress on stderr) and prints its report as JSON",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const [node] = yield* emulator.nodes(instanceId)
          const result = yield* runCli(["analyze", instanceId, "--node", node!.id, "--json"], { env: envFor(emulator) })
          expect(result.code).toBe(0)
          const document = JSON.parse(result.stdout) as {
            task: Record<string, unknown>
            report: Record<string, unknown> & { largest_keys: Array<unknown>; type_num: Array<unknown> }
          }
          expect(document.task.status).toBe("success")
          expect(document.report.id).toBe(document.task.id)
          expect(document.report.node_id).toBe(node!.id)
          expect(document.report.analysis_type).toBe("new_backup")
          expect(document.report.largest_keys).toHaveLength(20)
          expect(document.report.type_num.length).toBeGreaterThan(0)
          expect(document.report.total_bytes).toBeGreaterThan(2 ** 31)
          expect(result.stderr).toContain(`created task ${document.task.id as string} (node ${node!.id})`)
          expect(result.stderr).toMatch(/: success \(waited \d/)
          const created = (yield* emulator.requests).filter((request) => request.method === "POST")
          expect(created.at(-1)?.status).toBe(200)
        }),
      slow
    )

    it.effect(
      "analyze: --timeout gives up (exit 1), DCS.4231 for a second analysis, Ctrl+C exits 130",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const env = envFor(emulator)
          const [, node] = yield* emulator.nodes(instanceId)
          yield* emulator.setAnalysisSettings({ runningFor: "1 hour" })
          const timedOut = yield* runCli(["analyze", instanceId, "--node", node!.id, "--timeout", "2s"], { env })
          expect(timedOut.code).toBe(1)
          expect(timedOut.stdout).toBe("")
          const taskId = /^created task (\S+) /m.exec(timedOut.stderr)![1]!
          expect(timedOut.stderr).toContain(
            `The offline key analysis ${taskId} of instance ${instanceId} did not finish`
          )
          expect(timedOut.stderr).toContain(`wait again with \`wait ${instanceId} ${taskId}\``)

          const busy = yield* runCli(["analyze", instanceId, "--node", node!.id], { env })
          expect(busy.code).toBe(1)
          expect(busy.stderr).toMatch(
            /^DCS\.4231: An offline key analysis task is already running\. \(request id [0-9a-f]{32}\)$/m
          )
          expect(busy.stderr).toContain("hint: an analysis is already waiting or running on that node")
          expect((yield* runCli(["delete", instanceId, taskId], { env })).code).toBe(0)

          // Ctrl+C while waiting: 130, and how to wait again.
          const interrupted = yield* Effect.promise(() =>
            new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve, reject) => {
              const child = ChildProcess.spawn(
                process.execPath,
                ["--import", "tsx", binPath, "analyze", instanceId, "--node", node!.id],
                { cwd: packageDir, env, stdio: ["ignore", "pipe", "pipe"] }
              )
              let stderr = ""
              let sent = false
              child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
                stderr += chunk
                // Once: a second Ctrl+C is the runtime's to handle (it ends the process outright).
                if (!sent && /^created task /m.test(stderr)) sent = child.kill("SIGINT")
              })
              child.on("error", reject)
              child.on("close", (code, signal) => resolve({ code, signal, stderr }))
            })
          )
          expect(interrupted).toMatchObject({ code: 130, signal: null })
          const interruptedId = /^created task (\S+) /m.exec(interrupted.stderr)![1]!
          expect(interrupted.stderr).toContain(
            `interrupted: the analysis goes on on the service; wait again with \`wait ${instanceId} ${interruptedId}\``
          )
          yield* emulator.setAnalysisSettings({ runningFor: "300 millis" })
          expect((yield* runCli(["delete", instanceId, interruptedId], { env })).code).toBe(0)
        }),
      slow
    )

    it.effect("show, nodes and wait a task; as tables and as JSON", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const task = (yield* emulator.tasks(instanceId)).find((t) => t.status === "success" && t.id !== failedTaskId)!
        const expected = DcsEmulator.reportAt(instanceId, Date.parse(task.finished_at!))
        const [showJson, showTable, nodesJson, nodesTable, waited] = yield* runAll([
          ["show", instanceId, task.id, "--json"],
          ["show", instanceId, task.id],
          ["nodes", instanceId, task.id, "--json"],
          ["nodes", instanceId, task.id],
          ["wait", instanceId, task.id, "--json"]
        ], { env: envFor(emulator) })

        expect(showJson!.code).toBe(0)
        const report = JSON.parse(showJson!.stdout) as Record<string, unknown>
        expect(report.id).toBe(task.id)
        expect(report.total_bytes).toBe(expected.total_bytes)
        expect(report.largest_keys).toEqual(expected.largest_keys)
        expect(report.type_bytes).toEqual(expected.type_bytes)

        expect(showTable!.code).toBe(0)
        expect(showTable!.stdout).toMatch(new RegExp(`^Task\\s+${task.id}$`, "m"))
        expect(showTable!.stdout).toContain("Biggest keys (20)")
        expect(showTable!.stdout).toContain(expected.largest_keys[0]!.key)
        expect(showTable!.stdout).toContain("Key prefixes with the most keys")
        expect(showTable!.stdout).toMatch(/^By type\nTYPE\s+KEYS\s+SIZE$/m)

        expect(nodesJson!.code).toBe(0)
        const nodes = ndjson(nodesJson!.stdout)
        expect(nodes).toHaveLength(1)
        const instanceNodes = yield* emulator.nodes(instanceId)
        expect(instanceNodes.map((node) => node.id)).toContain(nodes[0]!.id)
        expect(Object.keys(nodes[0]!).sort()).toEqual(["group_name", "id", "name", "node_ipv6"])
        expect(nodesTable!.stdout).toMatch(new RegExp(`^ID\\s+NAME\\s+GROUP\\s+IPV6\\n${nodes[0]!.id as string}\\s`))

        expect(waited!.code).toBe(0)
        expect(ndjson(waited!.stdout)).toEqual([expect.objectContaining({ id: task.id, status: "success" })])
      }), slow)

    it.effect(
      "wait exits 1 for a failed task; delete removes a task, and show then answers DCS.4232",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const env = envFor(emulator)
          const failed = yield* runCli(["wait", instanceId, failedTaskId], { env })
          expect(failed.code).toBe(1)
          expect(failed.stdout).toBe("")
          expect(failed.stderr).toContain(`The offline key analysis ${failedTaskId} of instance ${instanceId} failed`)

          yield* emulator.addTasks([{ id: "task-to-delete", status: "success", created_at: "2021-01-01T00:00:00Z" }], {
            instanceId
          })
          const deleted = yield* runCli(["delete", instanceId, "task-to-delete", "--json"], { env })
          expect(deleted.code).toBe(0)
          expect(JSON.parse(deleted.stdout)).toEqual({ task_id: "task-to-delete", deleted: true })
          expect((yield* emulator.tasks(instanceId)).map((task) => task.id)).not.toContain("task-to-delete")

          const [shown, again] = yield* runAll([
            ["show", instanceId, "task-to-delete"],
            ["delete", instanceId, "task-to-delete"]
          ], { env })
          for (const result of [shown!, again!]) {
            expect(result.code).toBe(1)
            expect(result.stdout).toBe("")
            expect(result.stderr).toMatch(
              /^DCS\.4232: The offline key analysis task does not exist or has been deleted\. \(request id [0-9a-f]{32}\)$/m
            )
          }
        }),
      slow
    )
  })

  describe("exit codes", () => {
    it.effect("1 for an API error, printed as error_code: error_msg (request id …)", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const [unsupported, unknown] = yield* runAll([
          ["list", unsupportedId],
          ["show", "no-such-instance", "some-task"]
        ], { env: envFor(emulator) })
        expect(unsupported!.code).toBe(1)
        expect(unsupported!.stdout).toBe("")
        expect(lines(unsupported!.stderr)[0]).toBe(
          `DCS.4230: Does not support offline key analysis. (request id ${yield* requestIdOf(emulator, "DCS.4230")})`
        )
        expect(unknown!.code).toBe(1)
        expect(lines(unknown!.stderr)[0]).toBe(
          `DCS.4401: The instance does not exist. (request id ${yield* requestIdOf(emulator, "DCS.4401")})`
        )

        // A wrong secret key, with a security token: the gateway echoes what it signed, never a secret.
        const badSignature = yield* runCli(["list", instanceId], {
          env: envFor(emulator, { CLOUD_SDK_SK: wrongSecretKey, CLOUD_SDK_SECURITY_TOKEN: securityToken })
        })
        expect(badSignature.code).toBe(1)
        expect(badSignature.stdout).toBe("")
        const [line] = lines(badSignature.stderr)
        expect(line).toMatch(/^APIGW\.0301: Incorrect IAM authentication information: verify aksk signature fail/)
        expect(line).toMatch(new RegExp(`\\(request id ${yield* requestIdOf(emulator, "APIGW.0301")}\\)$`))
        for (const secret of [secretKey, wrongSecretKey, securityToken]) {
          expect(badSignature.stderr.includes(secret)).toBe(false)
        }
      }), slow)

    it.effect(
      "2 for a usage error: unknown flag or command, bad value, missing argument, flags that clash",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const cases: ReadonlyArray<readonly [ReadonlyArray<string>, RegExp]> = [
            [["list", instanceId, "--bogus"], /Received unknown argument: '--bogus'/],
            [["lsit", instanceId], /Invalid subcommand for dcs-key-analysis/],
            [
              ["list", instanceId, "--page-size", "0", "--all"],
              /--page-size must be an integer from 1 to 2147483647, got 0/
            ],
            [["list", instanceId, "--page-size", "ten", "--all"], /'ten' is not a integer/],
            [
              ["list", instanceId, "--status", "done"],
              /Expected one of the following cases: waiting, running, success/
            ],
            [["show", instanceId], /Missing argument <task-id>/],
            [["list", instanceId, "--page-size", "5"], /--page-size sets the tasks per request of --all/],
            [["list", instanceId, "--all", "--limit", "5"], /--limit selects one page/],
            [
              ["list", instanceId, "--emulator", "--endpoint", emulator.url],
              /--emulator cannot be combined with --endpoint/
            ],
            [["list", instanceId, "--endpoint", "ftp://example.com"], /--endpoint must be an http\(s\) URL/],
            [["wait", instanceId, "task", "--timeout", "soon"], /--timeout must be a positive duration/],
            [["list", ".."], /Invalid instanceId: must not be ".."/]
          ]
          const results = yield* runAll(cases.map(([args]) => args), { env: envFor(emulator) })
          results.forEach((result, i) => {
            const [args, message] = cases[i]!
            expect({ args, code: result.code }).toEqual({ args, code: 2 })
            expect(result.stdout).toBe("")
            expect(result.stderr).toMatch(message)
            expect(result.stderr).not.toMatch(ansi)
          })
        }),
      slow
    )

    it.effect(
      "2 for a configuration error: a missing or malformed variable, no usable secret key",
      () =>
        Effect.gen(function*() {
          const emulator = yield* DcsEmulator.DcsEmulator
          const env = envFor(emulator)
          const without = (...names: Array<string>) =>
            Object.fromEntries(Object.entries(env).filter(([name]) => !names.includes(name)))
          const cases: ReadonlyArray<readonly [ReadonlyArray<string>, Record<string, string>, RegExp]> = [
            [
              ["list", instanceId],
              without("DCS_ENDPOINT"),
              /^configuration error: missing DCS_ENDPOINT or DCS_REGION$/m
            ],
            [
              ["list", instanceId],
              without("CLOUD_SDK_SK"),
              /^configuration error: .*CLOUD_SDK_AK is set but neither CLOUD_SDK_SK/m
            ],
            [
              ["list", instanceId],
              without("CLOUD_SDK_SK", "CLOUD_SDK_AK"),
              /^configuration error: No usable credentials/m
            ],
            [["list", instanceId], { ...env, DCS_ENDPOINT: "not a url" }, /DCS_ENDPOINT must be an http\(s\) URL/],
            [["list", instanceId, "--sk-file", "/nonexistent/sk"], without("CLOUD_SDK_SK"), /\/nonexistent\/sk/]
          ]
          const results = yield* Effect.forEach(cases, ([args, caseEnv]) => runCli(args, { env: caseEnv }), {
            concurrency: 2
          })
          results.forEach((result, i) => {
            const [args, caseEnv, message] = cases[i]!
            expect({ args, code: result.code }).toEqual({ args, code: 2 })
            expect(result.stdout).toBe("")
            expect(result.stderr).toMatch(message)
            expect(Object.keys(caseEnv).length).toBeGreaterThan(0)
          })
        }),
      slow
    )

    it.effect("0 with the secret key from --sk-file, and flags over the environment", () =>
      Effect.gen(function*() {
        const emulator = yield* DcsEmulator.DcsEmulator
        const file = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "dcs-cli-sk-")), "sk")
        Fs.writeFileSync(file, `${secretKey}\n`, { mode: 0o600 })
        const env = envFor(emulator, {
          // Wrong in the environment, right in the flags.
          CLOUD_SDK_SK: wrongSecretKey,
          DCS_ENDPOINT: "http://127.0.0.1:9",
          DCS_PROJECT_ID: "notmyproject"
        })
        const result = yield* runCli([
          "list",
          instanceId,
          "--json",
          "--limit",
          "2",
          "--sk-file",
          file,
          "--endpoint",
          emulator.url,
          "--project-id",
          emulator.projectId
        ], { env })
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        expect(ndjson(result.stdout)).toHaveLength(2)
      }), slow)
  })
})
