/**
 * Every example runs, as a user would run it, against the emulator (no cloud variables).
 */
import { DcsEmulator } from "@effect-dcs/node"
import { describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

const run = promisify(execFile)
const examples = fileURLToPath(new URL("..", import.meta.url))
const cloudVariables = ["CLOUD_SDK_AK", "HUAWEICLOUD_SDK_AK", "DCS_INSTANCE_ID"]
const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !cloudVariables.includes(name)))

const runExample = (file: string) =>
  run(process.execPath, ["--import", "tsx", `src/${file}`], { cwd: examples, env, timeout: 60_000 })

describe("examples", () => {
  it("demo prints the summary", async () => {
    const { stdout } = await runExample("demo.ts")
    expect(stdout).toContain("Newest 10 tasks:")
    expect(stdout).toMatch(/3000 tasks \(server total 3000\) in 30 pages/)
  })

  it("list-page lists one filtered page", async () => {
    const { stdout } = await runExample("list-page.ts")
    expect(stdout).toMatch(/^\d+ successful tasks; the first 5:/)
  })

  it("stream-all counts every task by status", async () => {
    const { stdout } = await runExample("stream-all.ts")
    const counts = [...stdout.matchAll(/^(\w+)\s+(\d+)$/gm)].map((m) => Number(m[2]))
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1234)
  })

  it("handle-errors shows each failure by its tag", async () => {
    const { stdout } = await runExample("handle-errors.ts")
    expect(stdout).toContain("does not support offline key analysis")
    expect(stdout).toContain("no such instance")
    expect(stdout).toContain("APIGW.0301")
    expect(stdout).toContain("not sent: Invalid instanceId")
  })

  it("analyze-keys creates an analysis, waits for it and prints the report", async () => {
    const { stdout } = await runExample("analyze-keys.ts")
    expect(stdout).toMatch(/Task [0-9a-f-]{36} finished\./)
    expect(stdout).toContain("Biggest keys:")
    expect(stdout).toContain("Prefixes with the most keys:")
  })

  it("tracing exports a span per page, with the call's attributes and no secret", async () => {
    const { stdout } = await runExample("tracing.ts")
    expect(stdout).toContain("120 tasks streamed")
    // ConsoleSpanExporter prints each span as an object literal starting at column 0.
    const spans = stdout.split(/^(?=\{$)/m).filter((span) =>
      span.includes("name: 'DcsClient.listOfflineKeyAnalysisTasks'")
    )
    expect(spans).toHaveLength(3)
    for (const span of spans) {
      expect(span).toMatch(/'dcs\.instance_id': '[0-9a-f-]{36}'/)
      expect(span).toMatch(/'dcs\.offset': (0|50|100),/)
      expect(span).toContain("'dcs.limit': 50")
      expect(span).toContain("'http.response.status_code': 200")
      expect(span).toMatch(/'dcs\.request_id': '\w+'/)
    }
    expect(stdout).not.toMatch(/authorization': '(?!<redacted>)/i)
    expect(stdout).not.toMatch(/SDK-HMAC-SHA256|Signature=|x-security-token': '(?!<redacted>)/i)
    expect(stdout).not.toContain(DcsEmulator.defaultCredentials.secretAccessKey)
  })
})
