/**
 * The cold benchmark runs every contender as plain JavaScript in a plain `node` process, and ours
 * as npm users get it: the packed packages (`pnpm build` → `packages/<name>/dist`, the
 * `publishConfig.directory` that `pnpm publish` packs), installed into a `node_modules` of the
 * bench's own, not the workspace's `@effect-dcs/*` whose "exports" point at TypeScript sources.
 *
 *   bench/build/cold/node_modules/@effect-dcs/{core,node}   copies of packages/{core,node}/dist
 *   bench/build/cold/bench/src/coldChild.js, ours.js, …     the contenders, compiled by tsc
 *                                                           (bench/tsconfig.cold.json)
 *
 * From `bench/build/cold/bench/src/ours.js`, `@effect-dcs/core/DcsClient` resolves to the copy's
 * packed "exports" (`dist/esm/DcsClient.js`); `effect`, the platform, undici and the official SDK
 * resolve, as before, to the bench's dependencies (bench/node_modules): one instance of each.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = fileURLToPath(new URL("../../", import.meta.url))
const bench = Path.join(root, "bench")
const out = Path.join(bench, "build", "cold")
const packages = ["core", "node"] as const

/** Where the copies of the packed packages are installed. */
export const coldModules = Path.join(out, "node_modules")

/** The compiled cold child (bench/src/coldChild.ts), to run with plain `node`. */
export const coldChildPath = Path.join(out, "bench", "src", "coldChild.js")

const newestMtime = (path: string): number => {
  if (!Fs.existsSync(path)) return 0
  const stat = Fs.statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  // The directory's own time too: it changes when a file is deleted or renamed.
  return Fs.readdirSync(path).reduce(
    (newest, name) => Math.max(newest, newestMtime(Path.join(path, name))),
    stat.mtimeMs
  )
}

const mtimeOf = (path: string): number => (Fs.existsSync(path) ? Fs.statSync(path).mtimeMs : 0)

// What a package's build reads; its `dist/package.json` is the last file the build writes.
const buildInputs = (name: string) => [
  ...["src", "package.json", "tsconfig.build.json", "tsconfig.src.json"].map((file) =>
    Path.join(root, "packages", name, file)
  ),
  Path.join(root, "tsconfig.base.json"),
  Path.join(root, "scripts", "finish-pack.mjs")
]
const packedManifest = (name: string) => Path.join(root, "packages", name, "dist", "package.json")

const isStale = (name: string) => Math.max(...buildInputs(name).map(newestMtime)) > mtimeOf(packedManifest(name))

const run = (command: string, args: ReadonlyArray<string>): Promise<void> =>
  new Promise((resolve, reject) => {
    // The table goes to stdout: the tools' output goes to stderr with the bench's log.
    const child = ChildProcess.spawn(command, args, { cwd: root, stdio: ["ignore", 2, 2] })
    child.once("error", reject)
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${[command, ...args].join(" ")} exited with ${code}`)))
  })

// pnpm as the user started the bench: `npx -y pnpm@10 bench` puts no `pnpm` on the PATH, but
// sets npm_execpath (as scripts/pack-check.mjs does).
const pnpm = (args: ReadonlyArray<string>) => {
  const execpath = process.env["npm_execpath"]
  return execpath !== undefined && /pnpm/.test(Path.basename(execpath))
    ? run(process.execPath, [execpath, ...args])
    : run("pnpm", args)
}

/**
 * Makes the cold child and what it loads, only what is missing or older than its sources:
 * builds and packs @effect-dcs/core and @effect-dcs/node (their own `build` scripts, as for
 * publishing), installs copies of the packed packages into `bench/build/cold/node_modules`, and
 * compiles the cold child and the contenders with `tsc -b` (which checks them against the packed
 * declarations, and does nothing when they are up to date).
 */
export const prepareColdBuild = async (log: (line: string) => void): Promise<void> => {
  const stale = packages.filter(isStale)
  if (stale.length > 0) {
    log(`cold: building the packages (${stale.map((name) => `@effect-dcs/${name}`).join(", ")} out of date)...`)
    await pnpm([...stale.flatMap((name) => ["--filter", `@effect-dcs/${name}`]), "run", "build"])
  }
  for (const name of packages) {
    const installed = Path.join(coldModules, "@effect-dcs", name)
    // A copy is newer than the packed package it was made from (cpSync does not keep mtimes).
    if (mtimeOf(Path.join(installed, "package.json")) > mtimeOf(packedManifest(name))) continue
    Fs.rmSync(installed, { recursive: true, force: true })
    Fs.cpSync(Path.join(root, "packages", name, "dist"), installed, { recursive: true })
  }
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")
  // tsc -b trusts its .tsbuildinfo: when the output is gone, it must be told to build anyway.
  const force = Fs.existsSync(coldChildPath) ? [] : ["--force"]
  await run(process.execPath, [tsc, "-b", Path.join(bench, "tsconfig.cold.json"), ...force])
}
