// The pack check: what users install must work. It builds the packages, packs each one as
// `pnpm publish` would (`publishConfig.directory`), and verifies the tarballs:
//
//   - contents: no tests, no env files or keys, no secret, no build leftovers; every source map
//     and `sourceMappingURL` points at a file inside the tarball; the manifest has no `workspace:`
//     range and every `exports` target exists;
//   - runtime: installed into a scratch project with their peers (offline from the pnpm store when
//     it can), every entry point loads with `import` (ESM) and `require` (CJS), both give the same
//     names, and the index re-exports the very modules of the entry points;
//   - types: @arethetypeswrong/cli (node10, node16 CJS and ESM, bundler), publint --strict, and a
//     TypeScript consumer (NodeNext, ESM and CJS files) that type-checks against the tarballs.
//
// usage: node scripts/pack-check.mjs [--no-build] [--keep]
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as zlib from "node:zlib"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const args = new Set(process.argv.slice(2))
const started = Date.now()
const failures = []

const fail = (message) => {
  failures.push(message)
  console.error(`  ✗ ${message}`)
}
const step = (message) => console.log(`\n▸ ${message} (${((Date.now() - started) / 1000).toFixed(1)}s)`)

// pnpm as the user ran it (`npx -y pnpm@10 test` puts no `pnpm` of its own on the PATH of a child
// started with a clean environment, but always sets npm_execpath).
const pnpm = (() => {
  const execpath = process.env.npm_execpath
  return execpath && /pnpm/.test(path.basename(execpath)) ? [process.execPath, execpath] : ["pnpm"]
})()

const bin = (name) => path.join(root, "node_modules", ".bin", name)

const run = (command, commandArgs, options = {}) =>
  new Promise((resolve) => {
    const child = spawn(command, commandArgs, {
      cwd: options.cwd ?? root,
      env: { ...process.env, ...options.env },
      stdio: options.inherit ? "inherit" : ["ignore", "pipe", "pipe"]
    })
    let output = ""
    child.stdout?.on("data", (chunk) => (output += chunk))
    child.stderr?.on("data", (chunk) => (output += chunk))
    child.on("error", (error) => resolve({ code: -1, output: String(error) }))
    child.on("close", (code) => resolve({ code, output }))
  })

const runPnpm = (pnpmArgs, options) => run(pnpm[0], [...pnpm.slice(1), ...pnpmArgs], options)

const mustRun = async (label, promise) => {
  const { code, output } = await promise
  if (code !== 0) {
    console.error(output)
    throw new Error(`${label} failed (exit code ${code})`)
  }
  return output
}

// --- the packages ----------------------------------------------------------------------------

const packages = fs.readdirSync(path.join(root, "packages"))
  .map((name) => path.join(root, "packages", name))
  .filter((dir) => fs.existsSync(path.join(dir, "package.json")))
  .map((dir) => ({ dir, manifest: JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) }))
  .filter(({ dir, manifest }) => {
    // Published packages are the ones built into dist/ (publishConfig.directory), as Effect's are.
    if (manifest.private) return false
    if (manifest.publishConfig?.directory === "dist") return true
    console.log(`(skipping ${manifest.name ?? dir}: no publishConfig.directory, so not built for publishing)`)
    return false
  })

const rootManifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"))

if (!args.has("--no-build")) {
  step("build (pnpm build)")
  await mustRun("pnpm build", runPnpm(["run", "build"], { inherit: true }))
}

// A package's command (`bin`) runs in the workspace as declared, on the build just made.
const binsOf = (manifest) =>
  typeof manifest.bin === "string"
    ? [[manifest.name.replace(/^@[^/]+\//, ""), manifest.bin]]
    : Object.entries(manifest.bin ?? {})
const runBin = async (label, file, cwd) => {
  const { code, output } = await run(process.execPath, [file, "--help"], { cwd })
  if (code !== 0 || !/USAGE|Usage/.test(output)) {
    console.error(output)
    fail(`${label}: \`--help\` exited ${code}`)
  } else {
    console.log(`  ✓ ${label} --help`)
  }
}
const workspaceBins = packages.flatMap(({ dir, manifest }) =>
  binsOf(manifest).map(([command, file]) => ({ dir, command, file }))
)
if (workspaceBins.length > 0) {
  step(`run the workspace's commands: ${workspaceBins.map(({ command }) => command).join(", ")}`)
  for (const { command, dir, file } of workspaceBins) {
    await runBin(`${command} (workspace, ${path.relative(root, path.join(dir, file))})`, path.join(dir, file), dir)
  }
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "effect-dcs-pack-check-"))
const tarballs = path.join(scratch, "tarballs")
fs.mkdirSync(tarballs)

step(`pack ${packages.map(({ manifest }) => manifest.name).join(", ")} into ${tarballs}`)
for (const pkg of packages) {
  if (pkg.manifest.publishConfig?.directory !== "dist") {
    fail(`${pkg.manifest.name}: publishConfig.directory is not "dist"`)
  }
  await mustRun(`pnpm pack (${pkg.manifest.name})`, runPnpm(["pack", "--pack-destination", tarballs], { cwd: pkg.dir }))
  pkg.tarball = path.join(
    tarballs,
    `${pkg.manifest.name.replace(/^@/, "").replace("/", "-")}-${pkg.manifest.version}.tgz`
  )
  if (!fs.existsSync(pkg.tarball)) throw new Error(`pnpm pack made no ${pkg.tarball}`)
}

// --- contents --------------------------------------------------------------------------------

/** The files of a .tgz, by path (a minimal ustar reader: names, prefixes and pax paths). */
const readTarball = (file) => {
  const data = zlib.gunzipSync(fs.readFileSync(file))
  const files = new Map()
  let paxPath
  for (let offset = 0; offset + 512 <= data.length;) {
    const header = data.subarray(offset, offset + 512)
    if (header.every((byte) => byte === 0)) break
    const field = (start, length) => header.subarray(start, start + length).toString("utf8").replace(/\0.*$/s, "")
    const size = parseInt(field(124, 12).trim() || "0", 8)
    const type = field(156, 1)
    const prefix = field(345, 155)
    const name = paxPath ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100))
    const body = data.subarray(offset + 512, offset + 512 + size)
    paxPath = undefined
    if (type === "x") {
      const match = /\d+ path=([^\n]*)\n/.exec(body.toString("utf8"))
      if (match) paxPath = match[1]
    } else if (type === "0" || type === "") {
      files.set(name, body)
    }
    offset += 512 + Math.ceil(size / 512) * 512
  }
  return files
}

const forbiddenPaths = [
  [/(^|\/)(test|tests|__tests__|__mocks__|fixtures)\//, "a test directory"],
  [/\.(test|spec|bench)\.[cm]?[jt]sx?(\.map)?$/, "a test file"],
  [/(^|\/)(vitest|vite|jest)\.(config|setup|workspace|shared)\./, "test configuration"],
  [/(^|\/)\.env(\.|$)/, "an env file"],
  [/\.(pem|key|p12|pfx|crt|jks|keystore)$/, "a key or certificate"],
  [/(^|\/)(\.npmrc|\.yarnrc|\.netrc|id_rsa|id_ed25519|credentials(\.json)?)$/, "a credentials file"],
  [/(^|\/)(node_modules|\.tsbuildinfo|build|coverage|docs|\.git|\.changeset)\//, "a build or repository directory"],
  [/\.tsbuildinfo$|(^|\/)\.DS_Store$|\.log$|\.tgz$/, "a leftover"],
  [/(^|\/)(tsconfig[^/]*\.json|docgen\.json|eslint\.config\.[cm]?js)$/, "development configuration"]
]

const secretPatterns = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/\bAKIA[0-9A-Z]{16}\b/, "an AWS access key id"],
  [/\bnpm_[A-Za-z0-9]{36}\b/, "an npm token"],
  [/\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{40,}/, "a GitHub token"],
  [/\bxox[abposr]-[A-Za-z0-9-]{10,}/, "a Slack token"],
  [/"?_authToken"?\s*[=:]/, "a registry auth token"]
]
// Values of the secrets in this environment (cloud keys, tokens) must appear nowhere; only the
// variable's name is ever printed.
const secretValues = Object.entries(process.env)
  .filter(([name, value]) =>
    /(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|API_?KEY|ACCESS_?KEY|_SK$|_AK$|CREDENTIAL)/i.test(name) &&
    typeof value === "string" && value.length >= 8
  )

const checkContents = (pkg) => {
  const files = readTarball(pkg.tarball)
  pkg.files = files
  const name = pkg.manifest.name
  const inPackage = new Set()
  for (const file of files.keys()) {
    if (!file.startsWith("package/")) fail(`${name}: ${file} is outside package/`)
    inPackage.add(file.slice("package/".length))
  }
  for (const file of inPackage) {
    for (const [pattern, what] of forbiddenPaths) {
      if (pattern.test(file)) fail(`${name}: ${file} is ${what}`)
    }
  }
  for (const [file, body] of files) {
    const text = body.toString("utf8")
    for (const [pattern, what] of secretPatterns) {
      if (pattern.test(text)) fail(`${name}: ${file} contains ${what}`)
    }
    for (const [variable, value] of secretValues) {
      if (text.includes(value)) fail(`${name}: ${file} contains the value of $${variable}`)
    }
    const relative = file.slice("package/".length)
    const here = path.posix.dirname(relative)
    // A source map's sources, resolved from the map, must be files of the tarball.
    if (relative.endsWith(".map")) {
      let map
      try {
        map = JSON.parse(text)
      } catch {
        fail(`${name}: ${relative} is not JSON`)
        continue
      }
      for (const source of map.sources ?? []) {
        if (/^[a-z]+:/i.test(source) || path.posix.isAbsolute(source)) {
          fail(`${name}: ${relative} points at ${source}`)
          continue
        }
        const target = path.posix.normalize(path.posix.join(here, map.sourceRoot ?? "", source))
        if (target.startsWith("../") || !inPackage.has(target)) {
          fail(`${name}: ${relative} points outside the tarball (${source})`)
        }
      }
    }
    const url = /\/[/*][#@] sourceMappingURL=([^\s*]+)/.exec(text)?.[1]
    if (url && !url.startsWith("data:")) {
      const target = path.posix.normalize(path.posix.join(here, url))
      if (!inPackage.has(target)) fail(`${name}: ${relative} maps to a missing ${url}`)
    }
  }
  for (const required of ["package.json", "README.md", "LICENSE"]) {
    if (!inPackage.has(required)) fail(`${name}: no ${required}`)
  }
  const manifest = JSON.parse(files.get("package/package.json").toString("utf8"))
  pkg.packed = manifest
  if (manifest.private) fail(`${name}: the packed manifest is private`)
  if (/"workspace:/.test(JSON.stringify(manifest))) fail(`${name}: the packed manifest keeps a workspace: range`)
  if (manifest.version !== pkg.manifest.version) {
    fail(`${name}: packed ${manifest.version}, not ${pkg.manifest.version}`)
  }
  if (!manifest.exports) fail(`${name}: the packed manifest has no exports`)
  const targets = (value) =>
    typeof value === "string" ? [value] : value === null ? [] : Object.values(value).flatMap(targets)
  for (const [entry, value] of Object.entries(manifest.exports ?? {})) {
    for (const target of targets(value)) {
      if (!inPackage.has(path.posix.normalize(target))) fail(`${name}: exports["${entry}"] → missing ${target}`)
    }
  }
  for (const field of ["main", "module", "types"]) {
    if (manifest[field] && !inPackage.has(path.posix.normalize(manifest[field]))) {
      fail(`${name}: ${field} → missing ${manifest[field]}`)
    }
  }
  // Effect packages are peers, never bundled dependencies.
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    if (dependency === "effect" || dependency.startsWith("@effect/")) {
      fail(`${name}: ${dependency} is a dependency, not a peer`)
    }
  }
  // Every Effect package the code imports is a peer (@effect-dcs/report is platform-free: effect only).
  const code = [...files].filter(([file]) => /\.[cm]?js$/.test(file)).map(([, body]) => body.toString("utf8"))
  const imported = (peer) => code.some((text) => text.includes(`"${peer}`) || text.includes(`'${peer}`))
  for (const peer of ["effect", "@effect/platform"]) {
    if ((peer === "effect" || imported(peer)) && !manifest.peerDependencies?.[peer]) {
      fail(`${name}: no peer dependency on ${peer}`)
    }
  }
  pkg.entries = Object.keys(manifest.exports ?? {})
    .filter((entry) => entry !== "./package.json" && !entry.includes("*"))
    .map((entry) => (entry === "." ? name : `${name}/${entry.slice(2)}`))
}

step("check the tarballs' contents")
for (const pkg of packages) checkContents(pkg)

// --- a scratch project -------------------------------------------------------------------------

const project = path.join(scratch, "project")
fs.mkdirSync(project)
const versionOf = (dependency) =>
  [rootManifest, ...packages.map(({ manifest }) => manifest)]
    .map((manifest) => manifest.devDependencies?.[dependency] ?? manifest.dependencies?.[dependency])
    .find((version) => version !== undefined)
const peers = [...new Set(packages.flatMap(({ packed }) => Object.keys(packed.peerDependencies ?? {})))]
const local = Object.fromEntries(packages.map(({ manifest, tarball }) => [manifest.name, `file:${tarball}`]))
fs.writeFileSync(
  path.join(project, "package.json"),
  JSON.stringify(
    {
      name: "effect-dcs-pack-check",
      private: true,
      dependencies: {
        ...local,
        ...Object.fromEntries(peers.map((peer) => [peer, versionOf(peer) ?? "latest"])),
        "@types/node": versionOf("@types/node")
      },
      // The tarballs depend on each other by version (`@effect-dcs/core: ^0.1.0`): use these.
      pnpm: { overrides: local }
    },
    null,
    2
  )
)

step(`install the tarballs and their peers (${peers.join(", ")}) into ${project}`)
const install = (mode) =>
  runPnpm(
    [
      "install",
      mode,
      "--no-frozen-lockfile",
      "--ignore-scripts",
      "--config.auto-install-peers=true",
      "--config.strict-peer-dependencies=false",
      "--reporter=append-only"
    ],
    // Outside any workspace: no inherited npm_config_* from the pnpm that runs this script.
    {
      cwd: project,
      env: Object.fromEntries(
        Object.keys(process.env).filter((key) => /^npm_config_/i.test(key)).map((key) => [key, undefined])
      )
    }
  )
let installed = await install("--offline")
if (installed.code !== 0) {
  console.log("  (not everything is in the local store: installing with --prefer-offline)")
  installed = await install("--prefer-offline")
}
if (installed.code !== 0) {
  console.error(installed.output)
  throw new Error("installing the tarballs failed")
}
for (const line of installed.output.split("\n")) {
  if (/(missing|unmet|incompatible) peer/i.test(line) && /@effect-dcs\//.test(line)) fail(`install: ${line.trim()}`)
}

// --- runtime: import and require every entry ---------------------------------------------------

const entries = packages.flatMap(({ entries }) => entries)
const probe = (kind) => `
const entries = ${JSON.stringify(entries)}
const load = ${kind === "esm" ? "(entry) => import(entry)" : "async (entry) => require(entry)"}
const where = ${kind === "esm" ? "(entry) => import.meta.resolve(entry)" : "(entry) => require.resolve(entry)"}
const result = {}
for (const entry of entries) {
  try {
    const module = await load(entry)
    result[entry] = {
      file: String(where(entry)),
      names: Object.keys(module).filter((name) => name !== "__esModule" && name !== "default").sort(),
      reexports: Object.fromEntries(
        Object.entries(module).filter(([, value]) => value && typeof value === "object").map(([name, value]) => [
          name,
          Object.keys(value).filter((key) => key !== "__esModule" && key !== "default").sort().join(",")
        ])
      )
    }
  } catch (error) {
    result[entry] = { error: String(error && error.stack || error) }
  }
}
// One smoke test each: the packages' values are real Effect values of the same effect instance.
const { Context, Layer, Schema } = ${kind === "esm" ? "await import(\"effect\")" : "require(\"effect\")"}
const core = await load("@effect-dcs/core")
const node = await load("@effect-dcs/node")
const report = await load("@effect-dcs/report")
result.smoke = {
  tag: Context.isTag(core.DcsClient.DcsClient),
  layer: Layer.isLayer(core.DcsClient.layerTest()),
  nodeLayer: typeof node.NodeDcsClient.layerConfig === "function",
  // A report decoded by the core renders in the report package: one Schema class across packages.
  reportRenders: /^<!doctype html>/.test(
    report.HtmlReport.renderReport(Schema.decodeUnknownSync(core.OfflineKeyAnalysis.OfflineKeyAnalysisReport)({}))
  )
}
console.log(JSON.stringify(result))
`
fs.writeFileSync(path.join(project, "probe.mjs"), probe("esm"))
fs.writeFileSync(
  path.join(project, "probe.cjs"),
  `(async () => {${probe("cjs")}})().catch((e) => { console.error(e); process.exit(1) })`
)

step(`load ${entries.length} entry points with import (ESM) and require (CJS)`)
const probes = {}
for (const kind of ["esm", "cjs"]) {
  const output = await mustRun(
    `the ${kind} probe`,
    run(process.execPath, [`probe.${kind === "esm" ? "mjs" : "cjs"}`], { cwd: project })
  )
  probes[kind] = JSON.parse(output.trim().split("\n").at(-1))
}
for (const entry of entries) {
  const esm = probes.esm[entry]
  const cjs = probes.cjs[entry]
  if (esm.error) fail(`import("${entry}"): ${esm.error}`)
  if (cjs.error) fail(`require("${entry}"): ${cjs.error}`)
  if (esm.error || cjs.error) continue
  if (!/\/dist\/esm\//.test(esm.file)) fail(`import("${entry}") loads ${esm.file}, not dist/esm`)
  if (!/\/dist\/cjs\//.test(cjs.file)) fail(`require("${entry}") loads ${cjs.file}, not dist/cjs`)
  if (esm.names.length === 0) fail(`import("${entry}") exports nothing`)
  if (esm.names.join() !== cjs.names.join()) {
    fail(`"${entry}": ESM exports [${esm.names}] but CJS exports [${cjs.names}]`)
  }
}
// The index's namespaces are the entry modules: `import { DcsClient } from "@effect-dcs/core"` and
// `import * as DcsClient from "@effect-dcs/core/DcsClient"` expose the same names.
for (const pkg of packages) {
  for (const kind of ["esm", "cjs"]) {
    const index = probes[kind][pkg.manifest.name]
    if (!index || index.error) continue
    for (const entry of pkg.entries.filter((entry) => entry !== pkg.manifest.name)) {
      const module = entry.slice(pkg.manifest.name.length + 1)
      const names = probes[kind][entry]?.names?.join(",")
      if (index.reexports[module] !== names) fail(`${kind}: ${pkg.manifest.name}.${module} is not ${entry}`)
    }
  }
}
for (const kind of ["esm", "cjs"]) {
  for (const [check, ok] of Object.entries(probes[kind].smoke ?? {})) {
    if (ok !== true) fail(`${kind} smoke test: ${check}`)
  }
}

// The published commands, installed: node_modules/.bin links them to the built files.
const installedBins = packages.flatMap(({ packed }) => binsOf(packed).map(([command]) => command))
if (installedBins.length > 0) {
  step(`run the installed commands: ${installedBins.join(", ")}`)
  for (const command of installedBins) {
    const link = path.join(project, "node_modules", ".bin", command)
    if (!fs.existsSync(link)) fail(`${command}: not in node_modules/.bin`)
    else {
      const { code, output } = await run(link, ["--help"], { cwd: project })
      if (code !== 0 || !/USAGE|Usage/.test(output)) {
        console.error(output)
        fail(`${command} (installed): \`--help\` exited ${code}`)
      } else {
        console.log(`  ✓ ${command} (installed) --help`)
      }
    }
  }
}

// --- types -------------------------------------------------------------------------------------

// Every entry resolves, from an ES module and from a CommonJS one, and the types are real: were an
// import inside the packages' declarations unresolved, they would silently turn to `any` (Effect's
// own declarations are not re-checked: skipLibCheck).
const typeEntries = entries.map((entry, i) => ({ entry, alias: `M${i}` }))
const notAny = (core, node) =>
  `type IsAny<T> = 0 extends 1 & T ? true : false
type Service = Context.Tag.Service<${core}.DcsClient.DcsClient>
export const serviceIsTyped: IsAny<Service> = false
export const layerIsTyped: IsAny<ReturnType<typeof ${node}.NodeDcsClient.layerConfig>> = false
export const loaded = [${typeEntries.map(({ alias }) => alias).join(", ")}] as const
`
fs.writeFileSync(
  path.join(project, "consumer.mts"),
  typeEntries.map(({ alias, entry }) => `import * as ${alias} from "${entry}"`).join("\n") +
    `\nimport * as Core from "@effect-dcs/core"\nimport * as Node from "@effect-dcs/node"\n` +
    `import type { Context } from "effect"\n` + notAny("Core", "Node")
)
fs.writeFileSync(
  path.join(project, "consumer.cts"),
  typeEntries.map(({ alias, entry }) => `import ${alias} = require("${entry}")`).join("\n") +
    `\nimport Core = require("@effect-dcs/core")\nimport Node = require("@effect-dcs/node")\n` +
    `import type { Context } from "effect"\n` + notAny("Core", "Node")
)
fs.writeFileSync(
  path.join(project, "tsconfig.json"),
  JSON.stringify(
    {
      compilerOptions: {
        module: "NodeNext",
        moduleResolution: "NodeNext",
        target: "ES2022",
        lib: ["ES2022"],
        types: ["node"],
        strict: true,
        exactOptionalPropertyTypes: true,
        noEmit: true,
        skipLibCheck: true
      },
      files: ["consumer.mts", "consumer.cts"]
    },
    null,
    2
  )
)

step("check the types: @arethetypeswrong/cli, publint --strict, a TypeScript consumer (ESM and CJS)")
const typeChecks = await Promise.all([
  ...packages.map(({ manifest, tarball }) =>
    run(bin("attw"), [tarball, "--format", "table-flipped", "--no-color", "--no-emoji"]).then((r) => ({
      label: `attw ${manifest.name}`,
      ...r
    }))
  ),
  ...packages.map(({ manifest, tarball }) =>
    run(bin("publint"), ["run", tarball, "--strict", "--level", "warning"]).then((r) => ({
      label: `publint ${manifest.name}`,
      ...r
    }))
  ),
  run(bin("tsc"), ["-p", path.join(project, "tsconfig.json")], { cwd: project }).then((r) => ({
    label: "tsc (consumer.mts, consumer.cts)",
    ...r
  }))
])
for (const { code, label, output } of typeChecks) {
  if (code !== 0) {
    console.error(output)
    fail(`${label} failed`)
  } else {
    console.log(`  ✓ ${label}`)
  }
}

// --- report ------------------------------------------------------------------------------------

step("summary")
for (const pkg of packages) {
  const unpacked = [...pkg.files.values()].reduce((sum, body) => sum + body.length, 0)
  console.log(
    `  ${pkg.manifest.name}@${pkg.manifest.version}: ${fs.statSync(pkg.tarball).size} bytes packed, ` +
      `${pkg.files.size} files, ${unpacked} bytes unpacked; entries: ${pkg.entries.join(", ")}`
  )
}
if (args.has("--keep")) console.log(`  scratch kept in ${scratch}`)
else fs.rmSync(scratch, { recursive: true, force: true })

if (failures.length > 0) {
  console.error(`\npack check: ${failures.length} problem(s)`)
  process.exit(1)
}
console.log(`\npack check: OK in ${((Date.now() - started) / 1000).toFixed(1)}s`)
