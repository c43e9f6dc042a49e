// The documentation's screenshots, docs/report.png and docs/comparison.png at the repository root,
// in the system's Chromium: of two pages given (what `dcs-key-analysis report` wrote), or else of
// the realistic sample reports of the tests.
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
const pages = reportFile !== undefined && comparisonFile !== undefined
  ? { report: fs.readFileSync(reportFile, "utf8"), comparison: fs.readFileSync(comparisonFile, "utf8") }
  : {
    report: HtmlReport.renderReport(Fixtures.before),
    comparison: HtmlReport.renderComparison(ReportComparison.compareReports(Fixtures.before, Fixtures.after))
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
