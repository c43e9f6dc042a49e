// Gathers the API docs that @effect/docgen wrote into each package (packages/*/docs/modules) into
// the repository's docs/ (git-ignored): docs/<package>/<Module>.ts.md and an index, as Effect's
// own scripts/docs.mjs does.
//
// usage: node scripts/docs.mjs   (run by `pnpm docs`, after docgen)
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const out = path.join(root, "docs")

const packages = fs.readdirSync(path.join(root, "packages"))
  .filter((dir) => fs.existsSync(path.join(root, "packages", dir, "docs", "modules")))
  .sort()

if (packages.length === 0) {
  console.error("docs: no packages/*/docs/modules (run docgen first)")
  process.exit(1)
}

// Everything here is generated but the committed screenshots (docs/*.png): keep those.
fs.mkdirSync(out, { recursive: true })
for (const entry of fs.readdirSync(out)) {
  if (!entry.endsWith(".png")) fs.rmSync(path.join(out, entry), { recursive: true, force: true })
}

const index = ["# effect-dcs API", ""]
for (const dir of packages) {
  const { name, description } = JSON.parse(fs.readFileSync(path.join(root, "packages", dir, "package.json"), "utf8"))
  const from = path.join(root, "packages", dir, "docs", "modules")
  const to = path.join(out, dir)
  fs.cpSync(from, to, { recursive: true })
  // Give each package's "Modules" page its own permalink so that the sites do not collide.
  const modulesIndex = path.join(to, "index.md")
  if (fs.existsSync(modulesIndex)) {
    const text = fs.readFileSync(modulesIndex, "utf8")
    fs.writeFileSync(
      modulesIndex,
      /^permalink: /m.test(text)
        ? text.replace(/^permalink: .*$/m, `permalink: /docs/${dir}`)
        : text.replace("has_children: true", `has_children: true\npermalink: /docs/${dir}`)
    )
  }
  const modules = fs.readdirSync(to).filter((file) => file.endsWith(".ts.md")).sort()
  // docgen 0.5 writes the front matter of a module page with a blank line after its opening
  // `---`, which prettier then prints as a thematic break (`***`): put the front matter back.
  for (const file of modules) {
    const page = path.join(to, file)
    const text = fs.readFileSync(page, "utf8")
    fs.writeFileSync(page, text.replace(/^(?:\*\*\*|---)\n\n(title: [^\n]*\n(?:[a-z_]+: [^\n]*\n)*---\n)/, "---\n$1"))
  }
  index.push(`## ${name}`, "", description ?? "", "")
  for (const file of modules) index.push(`- [${file.replace(/\.ts\.md$/, "")}](${dir}/${file})`)
  index.push("")
  console.log(`docs: ${name}: ${modules.length} module(s) → ${path.relative(root, to)}/`)
}
fs.writeFileSync(path.join(out, "index.md"), index.join("\n"))
console.log(`docs: ${path.relative(root, path.join(out, "index.md"))}`)
