// The documentation's screenshots, docs/report.png, docs/comparison.png, docs/instance.png and
// docs/fleet.png at the repository root, in the system's Chromium: the report and comparison of two
// pages given (what `dcs-key-analysis report` wrote), or else of the realistic sample reports of the
// tests; the instance and fleet pages of the tests' samples.
//
// usage: pnpm --filter @effect-dcs/report screenshots [report.html comparison.html]
import * as HtmlReport from "@effect-dcs/report/HtmlReport"
import * as ReportComparison from "@effect-dcs/report/ReportComparison"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { launch, visit } from "../test/support/browser.js"
import * as Fixtures from "../test/support/fixtures.js"

const docs = path.join(import.meta.dirname, "..", "..", "..", "docs")
const [reportFile, comparisonFile] = process.argv.slice(2)
const given = reportFile !== undefined && comparisonFile !== undefined
const pages = {
  report: given ? fs.readFileSync(reportFile, "utf8") : HtmlReport.renderReport(Fixtures.before),
  comparison: given
    ? fs.readFileSync(comparisonFile, "utf8")
    : HtmlReport.renderComparison(ReportComparison.compareReports(Fixtures.before, Fixtures.after)),
  instance: HtmlReport.renderInstance(Fixtures.instanceAnalysis, { instance: Fixtures.ordersInstance }),
  fleet: HtmlReport.renderFleet(Fixtures.fleet)
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "effect-dcs-screenshots-"))
fs.mkdirSync(docs, { recursive: true })
const browser = await launch()
try {
  for (const [name, html] of Object.entries(pages)) {
    const file = path.join(scratch, `${name}.html`)
    fs.writeFileSync(file, html)
    const { page } = await visit(browser, file, { viewport: { width: 1100, height: 800 } })
    const to = path.join(docs, `${name}.png`)
    await page.screenshot({ path: to, fullPage: true })
    console.log(`screenshots: ${path.relative(process.cwd(), to)}`)
  }
} finally {
  await browser.close()
  fs.rmSync(scratch, { recursive: true, force: true })
}
