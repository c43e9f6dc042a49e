/**
 * One cold run, in a fresh process, as a CLI or a cron job runs: builds one contender and streams
 * the 100,000-task dataset once, with no warm-up; reports over IPC the time and CPU of that run
 * (from building the client to the last record) and of loading the modules before it.
 *
 * It runs compiled, with plain `node` and no loader (see coldBuild.ts): ours from the packed
 * packages. It reports the files `@effect-dcs/*` resolved to, for the parent to check.
 *
 * argv: contender (ours, official, raw), endpoint.
 */
const loadStarted = performance.now()
const loadCpu = process.cpuUsage()
const [contender, endpoint] = process.argv.slice(2)
if (endpoint === undefined) throw new Error("usage: coldChild <ours|official|raw> <endpoint>")
// A loader (tsx's, say) would transpile and hook every module, and its thread's CPU would count.
const loader = /--(import|loader|experimental-loader|require)\b|(^|\s)-r\b/
if (loader.test(process.execArgv.join(" ")) || loader.test(process.env["NODE_OPTIONS"] ?? "")) {
  throw new Error(
    `coldChild must run with plain node, not with ${[...process.execArgv, process.env["NODE_OPTIONS"] ?? ""].join(" ")}`
  )
}

const { datasets, pageSize } = await import("./fixtures.js")
const { instanceId } = datasets.stream

const load = async (): Promise<() => Promise<number>> => {
  switch (contender) {
    case "ours": {
      const { makeOurClient } = await import("./ours.js")
      return async () => {
        const client = makeOurClient(endpoint)
        const count = await client.streamAll(instanceId)
        await client.close()
        return count
      }
    }
    case "official": {
      const { makeOfficialClient } = await import("./official.js")
      return async () => {
        const client = makeOfficialClient(endpoint)
        let offset = 0
        for (;;) {
          const page = await client.listPage(instanceId, offset, pageSize)
          const records = page.records ?? []
          offset += records.length
          if (records.length === 0 || offset >= (page.total ?? 0)) return offset
        }
      }
    }
    case "raw": {
      const { makeRawClient } = await import("./raw.js")
      return async () => {
        const client = makeRawClient(endpoint)
        const count = await client.streamAll(instanceId, pageSize)
        await client.close()
        return count
      }
    }
    default:
      throw new Error(`unknown contender ${contender}`)
  }
}

const run = await load()
const loadSeconds = (performance.now() - loadStarted) / 1000
const loadUsed = process.cpuUsage(loadCpu)
const cpu = process.cpuUsage()
const started = performance.now()
const units = await run()
const seconds = (performance.now() - started) / 1000
const used = process.cpuUsage(cpu)
process.send!({
  units,
  seconds,
  cpuSeconds: (used.user + used.system) / 1e6,
  loadSeconds,
  loadCpuSeconds: (loadUsed.user + loadUsed.system) / 1e6,
  modules: contender === "ours"
    ? ["@effect-dcs/core/DcsClient", "@effect-dcs/node/NodeDcsClient"].map((specifier) =>
      import.meta.resolve(specifier)
    )
    : []
})
// The official SDK's axios keeps sockets in Node's global agent: do not wait for them.
process.disconnect()
process.exit(0)
