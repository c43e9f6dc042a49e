import * as ReportComparison from "@effect-dcs/report/ReportComparison"
import * as TerminalChart from "@effect-dcs/report/TerminalChart"
import { assert, describe, it } from "@effect/vitest"
import * as FastCheck from "effect/FastCheck"
import { report } from "./support/arbitraries.js"
import * as Fixtures from "./support/fixtures.js"

const ansi = /\u001b\[/
const comparison = ReportComparison.compareReports(Fixtures.before, Fixtures.after)
const charts = (width: number, color: boolean) =>
  [
    ["keys", TerminalChart.biggestKeys(Fixtures.before, { width, color })],
    ["prefixes", TerminalChart.prefixes(Fixtures.before, { width, color })],
    ["types", TerminalChart.types(Fixtures.before, { width, color })]
  ] as const

describe("TerminalChart", () => {
  it("draws bars to an eighth of a column", () => {
    assert.strictEqual(TerminalChart.bar(1, 4), "████")
    assert.strictEqual(TerminalChart.bar(0.5, 3), "█▌")
    assert.strictEqual(TerminalChart.bar(0.5, 1), "▌")
    assert.strictEqual(TerminalChart.bar(0, 10), "")
    assert.strictEqual(TerminalChart.bar(1e-9, 10), "▏", "something is never drawn as nothing")
  })

  it.prop("every bar row is exactly the width; no line is longer", [FastCheck.integer({ min: 32, max: 200 })], ([
    width
  ]) => {
    for (const [name, lines] of charts(width, false)) {
      const [, ...rows] = lines
      for (const row of rows) assert.strictEqual([...row].length, width, `${name}: ${JSON.stringify(row)}`)
    }
    for (const line of TerminalChart.comparison(comparison, { width, color: false })) {
      assert.isAtMost([...line].length, width, line)
    }
  })

  it.prop("any report draws within the width", [report, FastCheck.integer({ min: 10, max: 120 })], ([r, width]) => {
    for (const line of TerminalChart.report(r, { width, color: false })) {
      assert.isAtMost([...line].length, Math.max(width, TerminalChart.minimumWidth))
    }
  })

  it("prints no ANSI escape without colour, and colours with it", () => {
    for (const [, lines] of charts(80, false)) assert.isFalse(lines.some((line) => ansi.test(line)))
    assert.isFalse(TerminalChart.comparison(comparison, { width: 80, color: false }).some((line) => ansi.test(line)))
    assert.isTrue(TerminalChart.biggestKeys(Fixtures.before, { width: 80, color: true }).some((l) => ansi.test(l)))
  })

  it("cuts long labels with … and humanises sizes", () => {
    const [title, first] = TerminalChart.biggestKeys(Fixtures.before, { width: 40, color: false })
    assert.strictEqual(title, "Biggest keys (20 listed)")
    assert.match(first!, /^queue:no\S*… list +█+ +1\.2 GiB$/)
  })

  it("shows a hostile key's control characters instead of sending them", () => {
    const lines = TerminalChart.biggestKeys(Fixtures.hostile, { width: 80, color: false })
    assert.isFalse(lines.some((line) => ansi.test(line) || line.includes("\u0007")))
    assert.isTrue(lines.some((line) => line.includes("\\x1b[31mred")))
  })

  it("draws a comparison as diverging bars with signed text", () => {
    const lines = TerminalChart.comparison(comparison, { width: 100, color: false })
    const exports = lines.find((line) => line.includes("queue:exports"))!
    assert.match(exports, /^▲ queue:exports +│█+.* at least \+628\.2 MiB \(new in the top 20\)$/)
    const webhooks = lines.find((line) => line.includes("queue:webhooks"))!
    assert.match(webhooks, /^▼ queue:webhooks +█+│ +−758\.7 MiB$/)
    assert.isTrue(lines.includes("By type"))
  })
})
