// The pages in a real browser: what a user sees, that nothing runs or loads, and a screenshot of
// each in test-artifacts/ (git-ignored). Needs Chromium (apt-get install chromium); without it the
// test fails and says so.
import * as HtmlReport from "@effect-dcs/report/HtmlReport"
import * as Humanize from "@effect-dcs/report/Humanize"
import * as ReportComparison from "@effect-dcs/report/ReportComparison"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import type { Browser } from "playwright-core"
import { launch, type Visit, visit } from "./support/browser.js"
import * as Fixtures from "./support/fixtures.js"

const artifacts = path.join(import.meta.dirname, "..", "test-artifacts")
const timeout = 60_000

let browser: Browser
let dir: string

const write = (name: string, html: string): string => {
  const file = path.join(dir, `${name}.html`)
  fs.writeFileSync(file, html)
  return file
}

const open = async (name: string, html: string, options?: Parameters<typeof visit>[2]): Promise<Visit> => {
  const file = write(name, html)
  const opened = await visit(browser, file, options)
  await opened.page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true })
  return opened
}

// Nothing left the page, nothing ran, nothing complained.
const assertQuiet = async (opened: Visit) => {
  assert.deepStrictEqual(opened.requests.filter((url) => !url.startsWith("file://")), [])
  assert.strictEqual(opened.requests.length, 1, `requests: ${opened.requests.join(", ")}`)
  assert.deepStrictEqual(opened.errors, [])
  assert.deepStrictEqual(opened.dialogs, [])
  assert.isUndefined(await opened.page.evaluate(() => (window as { __pwned?: unknown }).__pwned))
  // The only script element is the embedded JSON, and no markup came from the data.
  assert.deepStrictEqual(
    await opened.page.evaluate(() => [...document.querySelectorAll("script")].map((script) => script.type)),
    ["application/json"]
  )
  assert.strictEqual(await opened.page.locator("img, svg, iframe, object, embed").count(), 0)
}

describe("HtmlReport in Chromium", () => {
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "effect-dcs-report-"))
    fs.mkdirSync(artifacts, { recursive: true })
    browser = await launch()
  }, timeout)

  afterAll(async () => {
    await browser?.close()
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true })
  })

  it("a report shows its biggest key, its size and a bar per key", { timeout }, async () => {
    const opened = await open("report", HtmlReport.renderReport(Fixtures.before))
    const { page } = opened
    const biggest = [...Fixtures.before.largestKeys].sort((a, b) => b.bytes - a.bytes)[0]!
    assert.isTrue(await page.getByText(biggest.key, { exact: true }).first().isVisible())
    assert.isTrue(
      await page.getByTestId("key-bar").first().getByText(Humanize.bytes(biggest.bytes), { exact: false }).isVisible()
    )
    assert.strictEqual(await page.getByTestId("key-bar").count(), Fixtures.before.largestKeys.length)
    assert.strictEqual(await page.getByTestId("prefix-bar").count(), Fixtures.before.largestKeyPrefixes.length)
    const text = await page.locator("body").innerText()
    assert.include(text, "backup file (RDB)")
    assert.include(text, "do not add up")
    await assertQuiet(opened)
    await open("report-dark", HtmlReport.renderReport(Fixtures.before), { colorScheme: "dark" })
  })

  it("a comparison shows what grew and what is new", { timeout }, async () => {
    const comparison = ReportComparison.compareReports(Fixtures.before, Fixtures.after)
    const opened = await open("comparison", HtmlReport.renderComparison(comparison))
    const exports = opened.page.getByTestId("key-diff").filter({ hasText: "queue:exports" })
    assert.strictEqual(await exports.count(), 1)
    const row = await exports.innerText()
    assert.include(row, "▲")
    assert.include(row, "at least +628.2 MiB")
    assert.include(row, "new in the top 20")
    const webhooks = await opened.page.getByTestId("key-diff").filter({ hasText: "queue:webhooks" }).innerText()
    assert.include(webhooks, "▼")
    assert.include(webhooks, "\u2212758.7 MiB")
    await assertQuiet(opened)
  })

  it("hostile keys render as text and run nothing", { timeout }, async () => {
    const opened = await open("hostile", HtmlReport.renderReport(Fixtures.hostile))
    const text = await opened.page.locator("body").innerText()
    for (const key of Fixtures.hostileKeys.filter((key) => !/[\u0000-\u001f]/.test(key))) assert.include(text, key)
    assert.include(text, "\\x1b[31mred\\x1b[0m\\x07")
    assert.strictEqual(await opened.page.getByTestId("key-bar").count(), Fixtures.hostileKeys.length)
    await assertQuiet(opened)
    // A comparison of it too: its keys go through other code.
    const diff = await open(
      "hostile-comparison",
      HtmlReport.renderComparison(ReportComparison.compareReports(Fixtures.empty, Fixtures.hostile))
    )
    assert.include(await diff.page.locator("body").innerText(), "<script>alert(1)</script>")
    await assertQuiet(diff)
  })

  it("an empty report says there are no keys", { timeout }, async () => {
    const opened = await open("empty", HtmlReport.renderReport(Fixtures.empty))
    assert.isTrue(await opened.page.getByText("the node holds no keys").isVisible())
    assert.strictEqual(await opened.page.getByTestId("key-bar").count(), 0)
    await assertQuiet(opened)
  })

  it(
    "an instance shows its biggest key with its shard, a bar per shard and the skew in words",
    { timeout },
    async () => {
      const analysis = Fixtures.instanceAnalysis
      const opened = await open("instance", HtmlReport.renderInstance(analysis, { instance: Fixtures.ordersInstance }))
      const { page } = opened
      const biggest = page.getByTestId("key-bar").first()
      assert.isTrue(await biggest.getByText(Fixtures.instanceBiggestKey.key, { exact: true }).isVisible())
      assert.isTrue(await biggest.getByText(`shard ${Fixtures.instanceBiggestKey.shard}`, { exact: false }).isVisible())
      assert.isTrue(await biggest.getByText(Humanize.bytes(analysis.largestKeys[0]!.bytes)).isVisible())
      assert.strictEqual(await page.getByTestId("key-bar").count(), analysis.largestKeys.length)
      assert.strictEqual(await page.getByTestId("shard-bar").count(), 3)
      const skew = HtmlReport.skewOf(
        analysis.nodes.map((node) => node.report.totalBytes.pipe(Option.getOrElse(() => 0)))
      )
      assert.include(await page.getByTestId("skew").innerText(), `Skew ${skew.toFixed(2)}×`)
      assert.isTrue(await page.getByTestId("skew-warning").isVisible())
      assert.include(await page.getByTestId("skew-warning").innerText(), "Uneven")
      await assertQuiet(opened)
      await open("instance-dark", HtmlReport.renderInstance(analysis), { colorScheme: "dark" })
    }
  )

  it("a fleet shows a row per instance with its outcome in words", { timeout }, async () => {
    const opened = await open("fleet", HtmlReport.renderFleet(Fixtures.fleet))
    const rows = opened.page.getByTestId("instance-row")
    assert.strictEqual(await rows.count(), Fixtures.fleet.instances.length)
    const expected: Record<string, string> = {
      Analyzed: "Analysed",
      Unsupported: "Unsupported",
      Skipped: "Skipped",
      Failed: "Failed"
    }
    for (const [i, line] of Fixtures.fleet.instances.entries()) {
      const text = await rows.nth(i).innerText()
      assert.include(text, line.instance.name)
      assert.include(text, expected[line.outcome]!)
      if (Option.isSome(line.reason)) assert.include(text, line.reason.value)
    }
    assert.strictEqual(await opened.page.getByTestId("key-bar").count(), Fixtures.fleet.largestKeys.length)
    await assertQuiet(opened)
  })

  it("a fleet's hostile names and reasons render as text and run nothing", { timeout }, async () => {
    const opened = await open("hostile-fleet", HtmlReport.renderFleet(Fixtures.hostileFleet))
    const text = await opened.page.locator("body").innerText()
    assert.include(text, "<script>alert(1)</script>")
    assert.include(text, "'><svg onload=alert(1)>")
    assert.include(text, "\"><img src=x onerror=alert(1)>")
    assert.strictEqual(await opened.page.getByTestId("instance-row").count(), 2)
    await assertQuiet(opened)
  })
})
