/**
 * `npx tsx bench/src/profile/cold.ts [ours|official|raw]`: one cold run (bench/src/coldChild.ts:
 * a fresh process, no warm-up) under `node --cpu-prof`, and where its CPU time goes. The profile
 * covers the whole process: loading the modules, then the run. As in the cold benchmark, the
 * child is compiled and runs in plain `node`, ours from the packed packages (coldBuild.ts).
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { coldChildPath, prepareColdBuild } from "../coldBuild.js"
import { datasets } from "../fixtures.js"
import { startServer } from "../serverProcess.js"
import { type Profile, summarize } from "./summarize.js"

const contender = process.argv[2] ?? "ours"
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "dcs-cold-"))
await prepareColdBuild((line) => process.stderr.write(line + "\n"))
const server = await startServer([datasets.stream])
const result = await new Promise<unknown>((resolve, reject) => {
  const child = ChildProcess.fork(coldChildPath, [contender, server.endpoint], {
    execArgv: ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--cpu-prof-interval=200"],
    stdio: "inherit"
  })
  let message: unknown
  child.on("message", (m) => (message = m))
  child.once("error", reject)
  child.once("exit", () => resolve(message))
})
await server.stop()
const file = Fs.readdirSync(dir).find((name) => name.endsWith(".cpuprofile"))
if (file === undefined) throw new Error(`no profile in ${dir}`)
process.stdout.write(`${contender}: ${JSON.stringify(result)}; profile ${Path.join(dir, file)}\n\n`)
process.stdout.write(summarize(JSON.parse(Fs.readFileSync(Path.join(dir, file), "utf8")) as Profile, 25) + "\n")
process.exit(0)
