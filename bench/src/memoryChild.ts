/**
 * One run of the memory benchmark, in a fresh process: streams every task of a dataset with our
 * client and reports the peak resident set size over IPC.
 *
 * argv: endpoint, instance id, expected total.
 */
import { makeOurClient } from "./ours.js"

const [endpoint, instanceId, expected] = process.argv.slice(2)
if (endpoint === undefined || instanceId === undefined || expected === undefined) {
  throw new Error("usage: memoryChild <endpoint> <instanceId> <total>")
}

const client = makeOurClient(endpoint)
const startRss = process.memoryUsage.rss()
const started = performance.now()
const count = await client.streamAll(instanceId)
const seconds = (performance.now() - started) / 1000
await client.close()
if (count !== Number(expected)) throw new Error(`streamed ${count} of ${expected} tasks`)
// maxRSS is the kernel's high-water mark of the process, in KiB: no sampling can miss a peak.
process.send?.({ count, seconds, startRss, peakRss: process.resourceUsage().maxRSS * 1024 })
process.disconnect?.()
