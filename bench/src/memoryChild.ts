/**
 * One run of the memory benchmark, in a fresh process: streams every task of a dataset with our
 * client and reports the peak resident set size over IPC, and the live heap after a full
 * collection at the end (run with --expose-gc; the collection happens after the peak is taken).
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
const peakRss = process.resourceUsage().maxRSS * 1024
const gc = (globalThis as { gc?: () => void }).gc
gc?.()
const liveHeap = gc === undefined ? undefined : process.memoryUsage().heapUsed
await client.close()
if (count !== Number(expected)) throw new Error(`streamed ${count} of ${expected} tasks`)
// maxRSS is the kernel's high-water mark of the process, in KiB: no sampling can miss a peak.
process.send?.({ count, seconds, startRss, peakRss, liveHeap })
process.disconnect?.()
