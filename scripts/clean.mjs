// Removes what builds leave behind (build/, dist/, .tsbuildinfo/, docs/) in the root and in every
// workspace package, so that the next `tsc -b` really rebuilds: tsc -b trusts its .tsbuildinfo
// and does not notice a deleted build/ when the .tsbuildinfo is kept.
//
// usage: node scripts/clean.mjs   (pnpm clean)
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const leftovers = ["build", "dist", ".tsbuildinfo", "docs", "coverage"]
const dirs = [
  root,
  ...["packages", "."].flatMap((parent) =>
    fs.readdirSync(path.join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith(".") && entry.name !== "node_modules")
      .map((entry) => path.join(root, parent, entry.name))
      .filter((dir) => fs.existsSync(path.join(dir, "package.json")))
  )
]
for (const dir of [...new Set(dirs)]) {
  for (const leftover of leftovers) {
    const target = path.join(dir, leftover)
    if (!fs.existsSync(target)) continue
    fs.rmSync(target, { recursive: true, force: true })
    console.log(`removed ${path.relative(root, target)}`)
  }
  for (const file of fs.readdirSync(dir).filter((name) => name.endsWith(".tsbuildinfo"))) {
    fs.rmSync(path.join(dir, file))
    console.log(`removed ${path.relative(root, path.join(dir, file))}`)
  }
}
