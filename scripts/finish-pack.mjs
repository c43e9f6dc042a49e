// Runs in a package directory after `build-utils pack-v2`, which leaves the publishable package in
// `dist/` with one set of declarations (`dist/dts`) for both conditions. Under `dist/` nothing
// says "module", so TypeScript reads those declarations as CommonJS even when the `import`
// condition resolves to the ES module build ("masquerading as CJS" in @arethetypeswrong/cli).
// This gives the ES module build its own copy of the declarations, next to its JavaScript (where
// `dist/esm/package.json` makes them ESM), and points `import` at it:
//
//   ".": { "import": { "types": "./dist/esm/index.d.ts", "default": "./dist/esm/index.js" },
//          "default": { "types": "./dist/dts/index.d.ts", "default": "./dist/cjs/index.js" } }
//
// It also carries over what pack-v2 drops (keywords, engines, bugs, CHANGELOG.md) and states the
// type of the package root.
import * as fs from "node:fs"
import * as path from "node:path"

const source = JSON.parse(fs.readFileSync("package.json", "utf8"))
const manifestPath = path.join("dist", "package.json")
const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"))
const dts = path.join("dist", "dist", "dts")
const esm = path.join("dist", "dist", "esm")

if (!fs.existsSync(dts) || !fs.existsSync(esm)) {
  throw new Error(`${process.cwd()}: run build-utils pack-v2 first (no ${dts} or ${esm})`)
}

// Copy every declaration (and its map) into the ES module tree; both trees sit two levels under the
// package root, so the relative `sources` of the declaration maps (../../src/…) stay right.
for (const file of fs.readdirSync(dts, { recursive: true, encoding: "utf8" })) {
  if (!/\.d\.ts(\.map)?$/.test(file)) continue
  const to = path.join(esm, file)
  fs.mkdirSync(path.dirname(to), { recursive: true })
  fs.copyFileSync(path.join(dts, file), to)
}

const toEsmTypes = (types) => types.replace(/^\.\/dist\/dts\//, "./dist/esm/")

const exports = {}
for (const [entry, target] of Object.entries(manifest.exports)) {
  if (typeof target === "string" || target.import === undefined) {
    exports[entry] = target
    continue
  }
  const esmTypes = toEsmTypes(target.types)
  if (!fs.existsSync(path.join("dist", esmTypes))) throw new Error(`${entry}: no ${esmTypes}`)
  exports[entry] = {
    import: { types: esmTypes, default: target.import },
    default: { types: target.types, default: target.default }
  }
}

const out = {}
for (const [key, value] of Object.entries(manifest)) {
  out[key] = key === "exports" ? exports : value
  if (key === "license") out.type = "commonjs"
  if (key === "description" && source.keywords) out.keywords = source.keywords
  if (key === "repository" && source.bugs) out.bugs = source.bugs
}
if (source.engines) out.engines = source.engines
// A command's `bin` in the workspace runs the build output through a launcher (bin/); the published
// package runs its built ES module directly: `publishConfig.bin` says which, relative to dist/.
if (source.publishConfig?.bin) {
  out.bin = source.publishConfig.bin
  for (const file of Object.values(out.bin)) {
    const target = path.join("dist", file)
    if (!fs.existsSync(target)) throw new Error(`bin ${file}: no ${target}`)
    if (!fs.readFileSync(target, "utf8").startsWith("#!")) throw new Error(`bin ${file}: no #! line`)
    fs.chmodSync(target, 0o755)
  }
}
fs.writeFileSync(manifestPath, JSON.stringify(out, null, 2) + "\n")

// Users read what changed in the package they install.
if (fs.existsSync("CHANGELOG.md")) fs.copyFileSync("CHANGELOG.md", path.join("dist", "CHANGELOG.md"))
