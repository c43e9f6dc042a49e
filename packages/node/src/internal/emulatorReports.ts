/**
 * Deterministic, realistic offline key analysis reports and instance nodes for the emulator: the
 * same task id always gives the same report, the same instance id the same nodes.
 *
 * @since 0.1.0
 */
import type * as DcsEmulator from "../DcsEmulator.js"
import { analysisStatus, type Entry, type InstanceStore } from "./emulatorStore.js"
import { between, prng, seedOf, uuidFrom } from "./emulatorTasks.js"

// ---------------------------------------------------------------------------------------------
// Nodes
// ---------------------------------------------------------------------------------------------

/** e.g. `5f90` for `5f9057b5-…`: node names carry the start of the instance id, as the console's do. */
const nameStem = (instanceId: string): string => {
  const stem = instanceId.toLowerCase().replace(/[^0-9a-z]/g, "").slice(0, 4)
  return stem === "" ? "node" : stem
}

const defaultIp = (instanceId: string, index: number): string => {
  const seed = seedOf(instanceId)
  return `192.168.${seed % 250}.${((seed >>> 8) % 200) + 10 + index}`
}

// 2001:db8::/32 is the documentation prefix: plausible, and never a real address.
const defaultIpv6 = (instanceId: string, index: number): string =>
  `2001:db8:${(seedOf(instanceId) & 0xffff).toString(16)}::${(index + 10).toString(16)}`

/** 32 lowercase hex digits derived from a text, the shape of the service's node ids. */
export const hex32From = (text: string): string => uuidFrom(text).replaceAll("-", "")

/**
 * The nodes of an instance with every field filled in. Without `nodes`: a master and a slave of
 * `group-0`, with UUID ids derived from the instance id and dual-stack addresses. A given node
 * without an `ipv6` has none (`""`, as the service answers for an IPv4-only instance). Logical
 * node ids, group ids and replication ids are derived from the instance id and the node's id or
 * group, so the same definition always gives the same nodes.
 *
 * @internal
 */
export const resolveNodes = (
  instanceId: string,
  nodes: ReadonlyArray<DcsEmulator.Node> | undefined
): ReadonlyArray<DcsEmulator.ResolvedNode> => {
  const given = nodes ?? [
    { id: uuidFrom(`${instanceId}/node/0`), ipv6: defaultIpv6(instanceId, 0) },
    { id: uuidFrom(`${instanceId}/node/1`), ipv6: defaultIpv6(instanceId, 1) }
  ]
  const ids = new Set<string>()
  return given.map((node, index): DcsEmulator.ResolvedNode => {
    if (typeof node.id !== "string" || node.id === "") throw new RangeError("DcsEmulator: a node id must not be empty")
    if (ids.has(node.id)) throw new RangeError(`DcsEmulator: node ids of instance "${instanceId}" must be unique`)
    ids.add(node.id)
    const groupName = node.groupName ?? "group-0"
    return {
      id: node.id,
      name: node.name ?? `redis-${nameStem(instanceId)}-${String(index + 1).padStart(4, "0")}`,
      groupName,
      ip: node.ip ?? defaultIp(instanceId, index),
      ipv6: node.ipv6 ?? "",
      role: node.role ?? (index === 0 ? "master" : "slave"),
      logicalNodeId: node.logicalNodeId ?? hex32From(`${instanceId}/logical/${node.id}`),
      groupId: node.groupId ?? (groupName === "" ? "" : uuidFrom(`${instanceId}/group/${groupName}`)),
      status: node.status ?? "Active",
      azCode: node.azCode ?? "ap-southeast-1a",
      port: node.port ?? 6379,
      report: node.report
    }
  })
}

/**
 * A node as `GET …/logical-nodes` shows it (the spec's `NodesInfoResp`): `node_port` is a string,
 * as on the service; the replication id and the monitored-object id are derived from the node.
 *
 * @internal
 */
export const wireNode = (instanceId: string, node: DcsEmulator.ResolvedNode): Record<string, unknown> => ({
  logical_node_id: node.logicalNodeId,
  name: node.name,
  status: node.status,
  az_code: node.azCode,
  node_role: node.role === "proxy" ? "redis-proxy" : "redis-server",
  node_type: node.role,
  node_ip: node.ip,
  node_port: String(node.port),
  node_id: node.id,
  priority_weight: 100,
  is_access: true,
  group_id: node.groupId,
  group_name: node.groupName,
  is_remove_ip: false,
  replication_id: uuidFrom(`${instanceId}/replication/${node.id}`),
  dimensions: [
    { name: "dcs_instance_id", value: instanceId },
    { name: "dcs_cluster_redis_node", value: hex32From(`${instanceId}/monitored/${node.id}`) }
  ]
})

// ---------------------------------------------------------------------------------------------
// Reports
// ---------------------------------------------------------------------------------------------

type Random = () => number
type KeyType = DcsEmulator.KeyType
type Range = readonly [min: number, max: number]

const MB = 1024 * 1024

/** The order of `type_bytes` and `type_num`, and of the groups of `largest_key_prefixes`. */
const keyTypes: ReadonlyArray<KeyType> = ["string", "list", "set", "zset", "hash"]

interface BigKeys {
  /** How many big keys the prefix has. */
  readonly count: Range
  /** The name of the i-th big key; `start` is drawn once per report. A repeated name is skipped. */
  readonly name: (random: Random, i: number, start: number) => string
  /** Strings: the value's bytes directly; collections: elements × bytes per element. */
  readonly elements: Range
  readonly bytesPerElement: Range
}

interface PrefixSpec {
  readonly prefix: string
  readonly type: KeyType
  /** How many keys carry the prefix. */
  readonly keys: Range
  /** Average bytes of the keys that are not big keys. */
  readonly averageBytes: Range
  readonly big?: BigKeys | undefined
}

/** The names in turn, from a place drawn once per report. */
const oneOf = (names: ReadonlyArray<string>) => (_random: Random, i: number, start: number): string =>
  names[(start + i) % names.length]!

const numbered = (stem: string, range: Range) => (random: Random): string => `${stem}${between(random, ...range)}`

const day = (stem: string) => (random: Random): string =>
  `${stem}2024-10-${String(between(random, 1, 15)).padStart(2, "0")}`

const hexId = (random: Random): string => between(random, 0x10000000, 0xffffffff).toString(16)

// Modeled on what big-key reports of web back ends show: sessions and caches dominate the key
// count, queues, logs and leaderboards the biggest keys.
const catalog: ReadonlyArray<PrefixSpec> = [
  {
    prefix: "session:",
    type: "string",
    keys: [2_000_000, 8_000_000],
    averageBytes: [500, 1_500],
    big: {
      count: [6, 12],
      name: numbered("session:user:", [10_000, 99_999]),
      elements: [1, 1],
      bytesPerElement: [MB, 40 * MB]
    }
  },
  {
    prefix: "cache:product:",
    type: "string",
    keys: [300_000, 2_000_000],
    averageBytes: [2_500, 6_000],
    big: {
      count: [3, 8],
      name: numbered("cache:product:", [100_000, 999_999]),
      elements: [1, 1],
      bytesPerElement: [MB, 16 * MB]
    }
  },
  { prefix: "user:token:", type: "string", keys: [300_000, 6_000_000], averageBytes: [80, 200] },
  { prefix: "rate:limit:", type: "string", keys: [50_000, 2_000_000], averageBytes: [40, 90] },
  {
    prefix: "queue:",
    type: "list",
    keys: [12, 80],
    averageBytes: [10_000, 2_000_000],
    big: {
      count: [2, 5],
      name: oneOf(["queue:orders", "queue:emails", "queue:notifications", "queue:payments:retry", "queue:webhooks"]),
      elements: [200_000, 6_000_000],
      bytesPerElement: [60, 400]
    }
  },
  {
    prefix: "log:api:",
    type: "list",
    keys: [30, 365],
    averageBytes: [50_000, 5_000_000],
    big: { count: [1, 4], name: day("log:api:"), elements: [100_000, 2_000_000], bytesPerElement: [120, 600] }
  },
  {
    prefix: "online:users:",
    type: "set",
    keys: [16, 64],
    averageBytes: [100_000, 2_000_000],
    big: {
      count: [1, 3],
      name: numbered("online:users:shard:", [0, 64]),
      elements: [200_000, 3_000_000],
      bytesPerElement: [20, 40]
    }
  },
  {
    prefix: "tags:product:",
    type: "set",
    keys: [50_000, 900_000],
    averageBytes: [200, 2_000],
    big: {
      count: [1, 3],
      name: numbered("tags:product:", [100_000, 999_999]),
      elements: [50_000, 400_000],
      bytesPerElement: [12, 30]
    }
  },
  {
    prefix: "leaderboard:",
    type: "zset",
    keys: [10, 120],
    averageBytes: [100_000, 5_000_000],
    big: {
      count: [1, 4],
      name: (random, i) =>
        i === 0
          ? "leaderboard:2024"
          : i === 1
          ? `leaderboard:weekly:${between(random, 1, 42)}`
          : day("leaderboard:daily:")(random),
      elements: [500_000, 8_000_000],
      bytesPerElement: [30, 70]
    }
  },
  {
    prefix: "timeline:user:",
    type: "zset",
    keys: [50_000, 1_000_000],
    averageBytes: [500, 6_000],
    big: {
      count: [1, 3],
      name: numbered("timeline:user:", [10_000, 99_999]),
      elements: [100_000, 1_000_000],
      bytesPerElement: [40, 90]
    }
  },
  {
    prefix: "cart:",
    type: "hash",
    keys: [100_000, 2_000_000],
    averageBytes: [300, 2_000],
    big: {
      count: [2, 5],
      name: (random) => `cart:${hexId(random)}`,
      elements: [20_000, 300_000],
      bytesPerElement: [80, 300]
    }
  },
  {
    prefix: "user:profile:",
    type: "hash",
    keys: [1_000_000, 8_000_000],
    averageBytes: [300, 800],
    big: {
      count: [1, 4],
      name: numbered("user:profile:", [10_000, 99_999]),
      elements: [10_000, 120_000],
      bytesPerElement: [50, 200]
    }
  },
  {
    prefix: "stats:daily:",
    type: "hash",
    keys: [30, 400],
    averageBytes: [10_000, 500_000],
    big: { count: [1, 4], name: day("stats:daily:"), elements: [300_000, 2_000_000], bytesPerElement: [30, 80] }
  }
]

/** How many big keys the report lists. */
const topKeys = 20

type Prefix = DcsEmulator.KeyAnalysisReport["largest_key_prefixes"][number]
type Key = DcsEmulator.KeyAnalysisReport["largest_keys"][number]

/** A range whose max is inclusive for `between`, which excludes it. */
const draw = (random: Random, [min, max]: Range): number => between(random, min, max + 1)

/** Which shard of a cluster a report is of: its big keys are those whose name hashes to it. */
interface Shard {
  readonly index: number
  readonly count: number
}

const bigKeysOf = (random: Random, spec: PrefixSpec, shard: Shard | undefined): ReadonlyArray<Key> => {
  const big = spec.big
  if (big === undefined) return []
  const count = draw(random, big.count)
  const start = between(random, 0, 1_000)
  const names = new Set<string>()
  const keys: Array<Key> = []
  // A few more tries than keys: random names may repeat, and a repeat is skipped.
  for (let i = 0; keys.length < count && i < count * 4; i++) {
    const name = big.name(random, i, start)
    if (names.has(name)) continue
    names.add(name)
    const elements = draw(random, big.elements)
    const bytes = elements * draw(random, big.bytesPerElement)
    // A key lives on one shard of a cluster (its hash slot's), never on two: a name that hashes
    // to another shard is skipped like a repeat, so the shards' reports never share a key.
    if (shard !== undefined && seedOf(name) % shard.count !== shard.index) continue
    keys.push({ key: name, type: spec.type, bytes, num_of_elem: elements })
  }
  return keys
}

const byBytes = (a: { readonly bytes: number }, b: { readonly bytes: number }) => b.bytes - a.bytes

/** One prefix of the catalog as drawn for a report: its big keys, its key count, the size of the rest. */
interface Drawn {
  readonly spec: PrefixSpec
  readonly big: ReadonlyArray<Key>
  readonly num: number
  readonly averageBytes: number
}

/** What a report is made from: the prefixes, then the share of keys and bytes outside them, per type. */
interface Baseline {
  readonly prefixes: ReadonlyArray<Drawn>
  /** Per type of `keyTypes`: the keys and bytes outside the listed prefixes, in % of the listed. */
  readonly unlistedNum: ReadonlyArray<number>
  readonly unlistedBytes: ReadonlyArray<number>
}

const drawBaseline = (random: Random, shard?: Shard | undefined): Baseline => {
  const prefixes = catalog.map((spec): Drawn => {
    const big = bigKeysOf(random, spec, shard)
    const num = Math.max(draw(random, spec.keys), big.length)
    return { spec, big, num, averageBytes: draw(random, spec.averageBytes) }
  })
  // Keys outside the listed prefixes: 5 to 25% more per type.
  const unlistedNum = keyTypes.map(() => draw(random, [5, 25]))
  const unlistedBytes = keyTypes.map(() => draw(random, [5, 25]))
  return { prefixes, unlistedNum, unlistedBytes }
}

const assemble = (baseline: Baseline): DcsEmulator.KeyAnalysisReport => {
  const prefixes: Array<Prefix> = []
  const keys: Array<Key> = []
  for (const { averageBytes, big, num, spec } of baseline.prefixes) {
    const bytes = big.reduce((sum, key) => sum + key.bytes, 0) + (num - big.length) * averageBytes
    prefixes.push({ key_prefix: spec.prefix, type: spec.type, bytes, num })
    keys.push(...big)
  }
  const typeNum = keyTypes.map((type, index) => {
    const listed = prefixes.filter((prefix) => prefix.type === type).reduce((sum, prefix) => sum + prefix.num, 0)
    return { type, num: listed + Math.floor(listed * baseline.unlistedNum[index]! / 100) }
  })
  const typeBytes = keyTypes.map((type, index) => {
    const listed = prefixes.filter((prefix) => prefix.type === type).reduce((sum, prefix) => sum + prefix.bytes, 0)
    return { type, bytes: listed + Math.floor(listed * baseline.unlistedBytes[index]! / 100) }
  })
  const grouped = keyTypes.flatMap((type) =>
    prefixes.filter((prefix) => prefix.type === type).sort((a, b) => b.num - a.num)
  )
  return {
    total_bytes: typeBytes.reduce((sum, entry) => sum + entry.bytes, 0),
    total_num: typeNum.reduce((sum, entry) => sum + entry.num, 0),
    largest_key_prefixes: grouped,
    largest_keys: keys.sort(byBytes).slice(0, topKeys),
    type_bytes: typeBytes,
    type_num: typeNum
  }
}

/**
 * The report of a task that succeeded, generated from its id. Invariants: `largest_keys` holds the
 * 20 biggest keys by bytes, descending; every big key belongs to a listed prefix of its type;
 * `largest_key_prefixes` are grouped by type (string, list, set, zset, hash) and by key count
 * descending within a type; per type, the prefixes' keys and bytes are at most `type_num` and
 * `type_bytes`; `total_num` and `total_bytes` are the sums over the types; `total_bytes` is about
 * 10 to 40 GiB, and always above 2^31 (the smallest possible draws add up to about 2.3 GB).
 *
 * @internal
 */
export const generateReport = (
  seed: string,
  options?: { readonly shard?: Shard | undefined }
): DcsEmulator.KeyAnalysisReport => {
  const shard = options?.shard
  if (
    shard !== undefined && !(Number.isSafeInteger(shard.count) && shard.count >= 1 &&
      Number.isSafeInteger(shard.index) && shard.index >= 0 && shard.index < shard.count)
  ) {
    throw new RangeError(`DcsEmulator: shard ${shard.index} of ${shard.count} is not a shard`)
  }
  return assemble(drawBaseline(prng(seedOf(`report/${seed}`)), shard))
}

// ---------------------------------------------------------------------------------------------
// Reports that evolve
// ---------------------------------------------------------------------------------------------

const DAY = 24 * 60 * 60 * 1000

/** How one prefix of an instance moves with time: along a cycle that ends in a clean-up. */
interface Trend {
  /** Days from one clean-up to the next, and where the epoch falls in that cycle. */
  readonly period: number
  readonly phase: number
  /** The relative growth per day of the key count, and of the size of its keys. */
  readonly keysPerDay: number
  readonly sizePerDay: number
  /** Big keys that appear during the cycle, on the day given. */
  readonly newcomers: ReadonlyArray<{ readonly key: Key; readonly day: number }>
}

const trendsOf = (series: string, baseline: Baseline): ReadonlyArray<Trend> => {
  const random = prng(seedOf(`trend/${series}`))
  // One prefix leaks keys (sessions that never expire, say) and one's big keys bloat (a queue
  // whose consumer fell behind); the others grow slowly.
  const leaking = between(random, 0, 4)
  const bloating = baseline.prefixes.findIndex((drawn) => drawn.spec.type === "list")
  return baseline.prefixes.map((drawn, index): Trend => {
    const period = between(random, 20, 41)
    const taken = new Set(drawn.big.map((key) => key.key))
    const newcomers = bigKeysOf(random, drawn.spec, undefined)
      .filter((key) => !taken.has(key.key))
      .slice(0, between(random, 1, 3))
      .map((key) => ({ key, day: random() * period }))
    return {
      period,
      phase: random() * period,
      keysPerDay: index === leaking ? 0.06 : random() * 0.015,
      sizePerDay: index === bloating ? 0.08 : random() * 0.01,
      newcomers
    }
  })
}

const scaled = (key: Key, factor: number): Key => ({
  ...key,
  bytes: Math.max(1, Math.round(key.bytes * factor)),
  num_of_elem: key.type === "string" ? 1 : Math.max(1, Math.round(key.num_of_elem * factor))
})

/**
 * The report of an analysis of an instance that finished at `at` (epoch ms): the instance's data
 * as it stands then. The same instance gives the same prefixes and big keys; with time, key counts
 * grow, big keys grow, new big keys appear (one prefix leaks keys, the big keys of a list prefix
 * bloat), and each prefix is cleaned up every 20 to 40 days. So two analyses of the same instance
 * compare as one would expect: later means bigger, mostly. The invariants of `generateReport` hold.
 *
 * @internal
 */
export const reportAt = (series: string, at: number): DcsEmulator.KeyAnalysisReport => {
  const baseline = drawBaseline(prng(seedOf(`report/${series}`)))
  const trends = trendsOf(series, baseline)
  const days = at / DAY
  const prefixes = baseline.prefixes.map((drawn, index): Drawn => {
    const trend = trends[index]!
    const day = ((days + trend.phase) % trend.period + trend.period) % trend.period
    const growth = 1 + trend.sizePerDay * day
    const born = trend.newcomers
      .filter((newcomer) => newcomer.day <= day)
      .map((newcomer) => scaled(newcomer.key, Math.min(1.5, 0.3 + 0.15 * (day - newcomer.day))))
    const big = [...drawn.big.map((key) => scaled(key, growth)), ...born]
    return {
      spec: drawn.spec,
      big,
      num: Math.max(Math.round(drawn.num * (1 + trend.keysPerDay * day)), big.length),
      averageBytes: Math.round(drawn.averageBytes * growth)
    }
  })
  return assemble({ ...baseline, prefixes })
}

// ---------------------------------------------------------------------------------------------
// Show and nodes
// ---------------------------------------------------------------------------------------------

/**
 * The node a task analysed: an analysis's own; for a task given as data, one of the instance's
 * nodes picked from its id.
 *
 * @internal
 */
export const nodeOf = (instance: InstanceStore, entry: Entry): DcsEmulator.ResolvedNode | undefined => {
  if (entry._tag === "Analysis") return instance.nodes.find((node) => node.id === entry.nodeId)
  // Proxies hold no data: a task given as data analysed a data node, if the instance has one.
  const data = instance.nodes.filter((node) => node.role !== "proxy")
  const candidates = data.length === 0 ? instance.nodes : data
  return candidates[seedOf(`node/${entry.id}`) % Math.max(1, candidates.length)]
}

// A task given as data analysed an existing backup one time in four.
const backupOf = (entry: Entry): string | undefined =>
  entry._tag === "Analysis"
    ? entry.backupId
    : seedOf(`type/${entry.id}`) % 4 === 0
    ? uuidFrom(`backup/${entry.id}`)
    : undefined

const iso = (millis: number): string => new Date(millis).toISOString()

/**
 * The report of a task that succeeded: the instance's data when it finished (see `reportAt`), so
 * the reports of successive analyses evolve; for a task given as data without a readable time,
 * one generated from its id.
 *
 * @internal
 */
export const reportOf = (instance: InstanceStore, entry: Entry): DcsEmulator.KeyAnalysisReport => {
  const finished = entry._tag === "Analysis" ? entry.finishesAt + entry.shift : timeOf(entry.task)
  return Number.isFinite(finished) ? reportAt(instance.id, finished) : generateReport(entry.id)
}

const timeOf = (task: DcsEmulator.WireTask): number => {
  for (const field of [task.finished_at, task.created_at]) {
    const millis = typeof field === "string" ? Date.parse(field) : Number.NaN
    if (!Number.isNaN(millis)) return millis
  }
  return Number.NaN
}

/**
 * The body of Show at `now`. It has no status (the service's has none). `backup_id` is the one
 * given for `old_backup`; for `new_backup` it is the backup the analysis takes, present from the
 * start of the run. Times the task does not have yet are absent (a task given as data keeps the
 * shape it was given: absent, `null` or `""`). The report fields are there only once the task has
 * succeeded, and absent otherwise (waiting, running, failed).
 *
 * @internal
 */
export const taskDetails = (instance: InstanceStore, entry: Entry, now: number): Record<string, unknown> => {
  const status = entry._tag === "Static" ? entry.task.status : analysisStatus(entry, now)
  const node = nodeOf(instance, entry)
  const givenBackup = backupOf(entry)
  const body: Record<string, unknown> = { id: entry.id, instance_id: instance.id }
  if (node !== undefined) body.node_id = node.id
  if (givenBackup !== undefined) body.backup_id = givenBackup
  else if (status !== "waiting") body.backup_id = uuidFrom(`new-backup/${entry.id}`)
  if (node !== undefined) {
    body.group_name = node.groupName
    body.node_ip = node.ip
    body.node_ipv6 = node.ipv6
    body.node_type = node.role
  }
  body.analysis_type = givenBackup === undefined ? "new_backup" : "old_backup"
  if (entry._tag === "Static") {
    if ("started_at" in entry.task) body.started_at = entry.task.started_at
    if ("finished_at" in entry.task) body.finished_at = entry.task.finished_at
  } else {
    if (status !== "waiting") body.started_at = iso(entry.startsAt + entry.shift)
    if (status === "success" || status === "failed") body.finished_at = iso(entry.finishesAt + entry.shift)
  }
  return status === "success" ? { ...body, ...(node?.report ?? reportOf(instance, entry)) } : body
}

/**
 * The body of the nodes operation: the node the task analysed.
 *
 * @internal
 */
export const taskNodes = (instance: InstanceStore, entry: Entry): { readonly nodes: ReadonlyArray<unknown> } => {
  const node = nodeOf(instance, entry)
  return {
    nodes: node === undefined
      ? []
      : [{ id: node.id, name: node.name, group_name: node.groupName, node_ipv6: node.ipv6 }]
  }
}
