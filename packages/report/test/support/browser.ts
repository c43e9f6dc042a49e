// Headless Chromium from the system (Debian's `chromium` package), driven by playwright-core: no
// browser is ever downloaded. CHROMIUM_PATH overrides the path.
import * as fs from "node:fs"
import type { Browser, BrowserContextOptions, Page } from "playwright-core"
import { chromium } from "playwright-core"

export const chromiumPath = (): string => {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium"
  if (!fs.existsSync(path)) {
    throw new Error(
      `No Chromium at ${path}: the browser test needs one. Install it (as root: ` +
        "apt-get update && apt-get install -y --no-install-recommends chromium) or set CHROMIUM_PATH."
    )
  }
  return path
}

export const launch = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPath(),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync"
    ]
  })

export interface Visit {
  readonly page: Page
  /** Every request the page made, its own file:// URL included. */
  readonly requests: Array<string>
  /** Console errors and uncaught exceptions. */
  readonly errors: Array<string>
  /** alert/confirm/prompt dialogs opened. */
  readonly dialogs: Array<string>
}

/** Opens a file in a fresh context, recording what the page does. */
export const visit = async (browser: Browser, file: string, options: BrowserContextOptions = {}): Promise<Visit> => {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, ...options })
  const page = await context.newPage()
  const visit: Visit = { page, requests: [], errors: [], dialogs: [] }
  page.on("request", (request) => visit.requests.push(request.url()))
  page.on("console", (message) => {
    if (message.type() === "error") visit.errors.push(message.text())
  })
  page.on("pageerror", (error) => visit.errors.push(String(error)))
  page.on("dialog", (dialog) => {
    visit.dialogs.push(dialog.message())
    void dialog.dismiss()
  })
  await page.goto(`file://${file}`, { waitUntil: "load" })
  return visit
}
