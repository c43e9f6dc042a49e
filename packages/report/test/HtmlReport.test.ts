import * as DcsClientTest from "@effect-dcs/core/DcsClientTest"
import * as Fleet from "@effect-dcs/core/Fleet"
import * as InstanceAnalysis from "@effect-dcs/core/InstanceAnalysis"
import { OfflineKeyAnalysisRecord, OfflineKeyAnalysisReport } from "@effect-dcs/core/OfflineKeyAnalysis"
import * as HtmlReport from "@effect-dcs/report/HtmlReport"
import * as ReportComparison from "@effect-dcs/report/ReportComparison"
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
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

  describe("an instance analysed shard by shard", () => {
    const record = Schema.decodeUnknownSync(OfflineKeyAnalysisRecord)({
      id: "t",
      status: "success",
      created_at: "2024-10-15T02:00:00.000Z"
    })
    const nodes = DcsClientTest.makeNodes("c", { shards: 5, replicas: 0 })
    const analyse = (reports: ReadonlyArray<OfflineKeyAnalysisReport>) =>
      InstanceAnalysis.merge(
        "c",
        reports.map((report, s) =>
          new InstanceAnalysis.NodeAnalysis({ node: nodes[s]!, task: record, report, attached: false })
        )
      )
    const shardBytes = (analysis: InstanceAnalysis.InstanceAnalysis) =>
      analysis.nodes.map((node) => Option.getOrElse(node.report.totalBytes, () => 0))

    it("reads the analysis (and the instance) back", () => {
      assert.deepStrictEqual(
        HtmlReport.readEmbedded(
          HtmlReport.renderInstance(Fixtures.instanceAnalysis, { instance: Fixtures.ordersInstance })
        ),
        Either.right({
          _tag: "Instance" as const,
          analysis: Fixtures.instanceAnalysis,
          instance: Fixtures.ordersInstance
        })
      )
      assert.deepStrictEqual(
        HtmlReport.readEmbedded(HtmlReport.renderInstance(Fixtures.instanceAnalysis)),
        Either.right({ _tag: "Instance" as const, analysis: Fixtures.instanceAnalysis })
      )
    })

    it.prop(
      "any merged analysis: read back intact, a bar per key and per shard, the skew of the shards' totals",
      [FastCheck.array(report, { minLength: 1, maxLength: 5 })],
      ([reports]) => {
        const analysis = analyse(reports)
        const html = HtmlReport.renderInstance(analysis)
        assert.deepStrictEqual(HtmlReport.readEmbedded(html), Either.right({ _tag: "Instance" as const, analysis }))
        assert.strictEqual(html.match(/data-testid="shard-bar"/g)?.length ?? 0, reports.length)
        assert.strictEqual(html.match(/data-testid="key-bar"/g)?.length ?? 0, analysis.largestKeys.length)
        const skew = HtmlReport.skewOf(shardBytes(analysis))
        assert.include(html, `Skew ${skew.toFixed(2)}×`)
        assert.strictEqual(html.includes(`data-testid="skew-warning"`), skew > HtmlReport.skewThreshold)
      }
    )

    it("shows each key's shard and node, and flags the uneven shards in words", () => {
      const html = HtmlReport.renderInstance(Fixtures.instanceAnalysis, { instance: Fixtures.ordersInstance })
      const biggest = Fixtures.instanceAnalysis.largestKeys[0]!
      assert.strictEqual(biggest.key, Fixtures.instanceBiggestKey.key)
      assert.include(html, `shard ${Fixtures.instanceBiggestKey.shard} · node ${biggest.nodeId}`)
      assert.strictEqual(html.match(/data-testid="shard-bar"/g)!.length, 3)
      const skew = HtmlReport.skewOf(shardBytes(Fixtures.instanceAnalysis))
      assert.isAbove(skew, HtmlReport.skewThreshold)
      assert.include(html, `⚠ Uneven: the largest shard holds ${skew.toFixed(2)}× the mean`)
      assert.include(html, "orders-prod")
    })

    it("an even instance is not flagged", () => {
      const html = HtmlReport.renderInstance(analyse([Fixtures.before, Fixtures.before, Fixtures.before]))
      assert.include(html, "Skew 1.00×")
      assert.notInclude(html, "Uneven")
    })

    it("skewOf: the largest over the mean, 1 when there is nothing to compare", () => {
      assert.strictEqual(HtmlReport.skewOf([30, 10, 20]), 1.5)
      assert.strictEqual(HtmlReport.skewOf([7]), 1)
      assert.strictEqual(HtmlReport.skewOf([]), 1)
      assert.strictEqual(HtmlReport.skewOf([0, 0]), 1)
    })
  })

  describe("a fleet", () => {
    it("reads the summary back", () => {
      assert.deepStrictEqual(
        HtmlReport.readEmbedded(HtmlReport.renderFleet(Fixtures.fleet)),
        Either.right({ _tag: "Fleet" as const, summary: Fixtures.fleet })
      )
    })

    it("a row per instance with its outcome and reason in words; the counts", () => {
      const html = HtmlReport.renderFleet(Fixtures.fleet)
      assert.strictEqual(html.match(/data-testid="instance-row"/g)!.length, Fixtures.fleetOutcomes.length)
      for (const label of ["✓ Analysed", "– Unsupported", "‖ Skipped", "✗ Failed"]) assert.include(html, label)
      assert.include(html, "Redis 3.0 does not support offline key analysis")
      assert.include(html, "The offline key analysis 7c1b0e59-task of instance a3c9e7f1-analytics failed")
      assert.include(html, "3 analysed · 1 unsupported · 1 skipped · 1 failed")
      assert.strictEqual(html.match(/data-testid="key-bar"/g)!.length, Fixtures.fleet.largestKeys.length)
      assert.strictEqual(html.match(/data-testid="prefix-bar"/g)!.length, Fixtures.fleet.largestKeyPrefixes.length)
    })

    it("an empty fleet says so", () => {
      const html = HtmlReport.renderFleet(Fleet.summarizeFleet([]))
      assert.include(html, "The fleet has no instance.")
      assert.notInclude(html, `data-testid="instance-row"`)
    })

    it("keeps hostile instance names, ids, reasons and keys inert, and reads them back intact", () => {
      const html = HtmlReport.renderFleet(Fixtures.hostileFleet)
      assert.notInclude(html, "<script>alert(1)")
      assert.notInclude(html, "<img")
      assert.notInclude(html, "<svg")
      assert.include(html, "&lt;script&gt;alert(1)&lt;/script&gt;")
      assert.include(html, "&#39;&gt;&lt;svg onload=alert(1)&gt;")
      assert.include(html, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
      assert.strictEqual(html.match(/<script/g)!.length, 1, "the data element is the only script")
      assert.deepStrictEqual(
        HtmlReport.readEmbedded(html),
        Either.right({ _tag: "Fleet" as const, summary: Fixtures.hostileFleet })
      )
      // The instance page of the hostile instance too: its keys and node ids go through other code.
      const outcome = Fixtures.hostileFleet.instances[0]!
      const instanceHtml = HtmlReport.renderInstance(analyse([Fixtures.hostile]), { instance: outcome.instance })
      assert.notInclude(instanceHtml, "<script>alert(1)")
      assert.notInclude(instanceHtml, "<img")
      assert.strictEqual(instanceHtml.match(/<script/g)!.length, 1)
    })

    const analyse = (reports: ReadonlyArray<OfflineKeyAnalysisReport>) =>
      InstanceAnalysis.merge(
        "\"><b>x</b>",
        reports.map((report) =>
          new InstanceAnalysis.NodeAnalysis({
            node: DcsClientTest.makeNodes("<i>n</i>", { replicas: 0 })[0]!,
            task: Schema.decodeUnknownSync(OfflineKeyAnalysisRecord)({
              id: "t",
              status: "success",
              created_at: "2024-10-15T02:00:00.000Z"
            }),
            report,
            attached: false
          })
        )
      )
  })
})
