/**
 * Summarizes a V8 CPU profile (`.cpuprofile`): self time per function and per file or package.
 *
 *   npx tsx bench/src/profile/summarize.ts some.cpuprofile [--top 30]
 */
import * as Fs from "node:fs"
import { fileURLToPath } from "node:url"

interface ProfileNode {
  readonly id: number
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
  }
}

export interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples?: ReadonlyArray<number> | undefined
  readonly timeDeltas?: ReadonlyArray<number> | undefined
}

// The package of a file (effect, @effect/platform, undici...) or, for our own code, its path in
// the repository; V8's pseudo-frames ((garbage collector), (idle), (program)) as they are.
const groupOf = (url: string, functionName: string): string => {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)"
  const modules = url.lastIndexOf("node_modules/")
  if (modules !== -1) {
    const rest = url.slice(modules + "node_modules/".length).split("/")
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!
  }
  if (url.startsWith("node:")) return "node:" + url.slice(5).split("/")[0]
  const packages = url.indexOf("/packages/")
  if (packages !== -1) return url.slice(packages + 1)
  const bench = url.indexOf("/bench/")
  return bench !== -1 ? url.slice(bench + 1) : url
}

const table = (entries: ReadonlyArray<readonly [string, number]>, total: number, top: number): string =>
  entries
    .slice(0, top)
    .map(([name, micros]) =>
      `${(micros / 1000).toFixed(1).padStart(9)} ms ${(micros / total * 100).toFixed(1).padStart(5)}%  ${name}`
    )
    .join("\n")

export const summarize = (profile: Profile, top = 30): string => {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const selfByFunction = new Map<string, number>()
  const selfByGroup = new Map<string, number>()
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  let total = 0
  for (let i = 0; i < samples.length; i++) {
    // A sample's time is the delta to the next sample.
    const micros = deltas[i + 1] ?? 0
    const node = byId.get(samples[i]!)
    if (node === undefined) continue
    const { functionName, lineNumber, url } = node.callFrame
    const group = groupOf(url, functionName)
    const name = `${functionName || "(anonymous)"} ${group}:${lineNumber + 1}`
    selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + micros)
    selfByGroup.set(group, (selfByGroup.get(group) ?? 0) + micros)
    total += micros
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1])
  return [
    `self time by file or package (total ${(total / 1000).toFixed(0)} ms):`,
    table(sorted(selfByGroup), total, top),
    "",
    "self time by function:",
    table(sorted(selfByFunction), total, top)
  ].join("\n")
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2]
  if (file === undefined) throw new Error("usage: summarize <file.cpuprofile> [--top n]")
  const at = process.argv.indexOf("--top")
  const top = at === -1 ? 30 : Number(process.argv[at + 1])
  process.stdout.write(summarize(JSON.parse(Fs.readFileSync(file, "utf8")) as Profile, top) + "\n")
}
