import { OfflineKeyAnalysisReport } from "@effect-dcs/core/OfflineKeyAnalysis"
import * as HtmlReport from "@effect-dcs/report/HtmlReport"
import * as ReportComparison from "@effect-dcs/report/ReportComparison"
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { report } from "./support/arbitraries.js"
import * as Fixtures from "./support/fixtures.js"

describe("HtmlReport", () => {
  it("reads a page's report back", () => {
    const read = HtmlReport.readEmbedded(HtmlReport.renderReport(Fixtures.before))
    assert.deepStrictEqual(read, Either.right({ _tag: "Report" as const, report: Fixtures.before }))
  })

  it.prop("reads back any report, and both reports of a comparison", [report, report], ([a, b]) => {
    assert.deepStrictEqual(
      HtmlReport.readEmbedded(HtmlReport.renderReport(a)),
      Either.right({ _tag: "Report" as const, report: a })
    )
    const comparison = ReportComparison.compareReports(a, b)
    assert.deepStrictEqual(
      HtmlReport.readEmbedded(HtmlReport.renderComparison(comparison)),
      Either.right({ _tag: "Comparison" as const, before: a, after: b })
    )
  })

  it("keeps hostile keys inert: escaped in the markup, \\u003c in the data, and read back intact", () => {
    const html = HtmlReport.renderReport(Fixtures.hostile)
    assert.notInclude(html, "<script>alert(1)")
    assert.notInclude(html, "<img")
    assert.notInclude(html, "<svg")
    assert.include(html, "&lt;script&gt;alert(1)&lt;/script&gt;")
    assert.include(html, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
    assert.include(html, "&#39;&gt;&lt;svg onload=alert(1)&gt;")
    assert.strictEqual(html.match(/<script/g)!.length, 1, "the data element is the only script")
    assert.include(html, "\\u003c/script>\\u003cscript>window.__pwned=1")
    assert.deepStrictEqual(
      HtmlReport.readEmbedded(html),
      Either.right({ _tag: "Report" as const, report: Fixtures.hostile })
    )
  })

  it("sets a strict Content-Security-Policy", () => {
    const html = HtmlReport.renderReport(Fixtures.before)
    assert.include(html, `<meta http-equiv="Content-Security-Policy" content="${HtmlReport.contentSecurityPolicy}">`)
    assert.include(HtmlReport.contentSecurityPolicy, "default-src 'none'")
    assert.include(HtmlReport.contentSecurityPolicy, "script-src 'none'")
    assert.notMatch(html, /(src|href)="(https?:)?\/\//)
  })

  it("says what is wrong with a page it cannot read", () => {
    const missing = HtmlReport.readEmbedded("<html></html>")
    assert.isTrue(Either.isLeft(missing) && missing.left.reason === "Missing")
    const invalid = HtmlReport.readEmbedded(
      `<script type="application/json" id="effect-dcs-data">{"_tag":"Report","report":{"total_num":-1}}</script>`
    )
    assert.isTrue(Either.isLeft(invalid) && invalid.left.reason === "Invalid")
  })

  it("draws a shard section with the skew", () => {
    const html = HtmlReport.renderReport(Fixtures.before, {
      shards: [
        { name: "shard-1", bytes: 30, keys: Option.some(3) },
        { name: "shard-2", bytes: 10, keys: Option.none() },
        { name: "shard-3", bytes: 20, keys: Option.some(2) }
      ]
    })
    assert.include(html, "Skew 1.50×")
    assert.strictEqual(html.match(/data-testid="shard-bar"/g)!.length, 3)
  })

  it("warns when the reports are of different nodes", () => {
    const other = new OfflineKeyAnalysisReport({ ...Fixtures.after, nodeId: Option.some("other-node") })
    const html = HtmlReport.renderComparison(ReportComparison.compareReports(Fixtures.before, other))
    assert.include(html, "Different nodes")
  })
})
