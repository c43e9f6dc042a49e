/**
 * The emulator's instances as the service lists them: the instance record of
 * `GET /v2/{project_id}/instances` with its defaults, the list's filters, and a deterministic,
 * realistic fleet generator.
 *
 * @since 0.2.0
 */
import type * as DcsEmulator from "../DcsEmulator.js"
import { generateReport, hex32From } from "./emulatorReports.js"
import { between, generateTasks, prng, seedOf, uuid, uuidFrom } from "./emulatorTasks.js"

// ---------------------------------------------------------------------------------------------
// Instance records
// ---------------------------------------------------------------------------------------------

/**
 * What the list's filters read of an instance, and the record it sends (built once: the emulator's
 * instances do not change unless replaced).
 *
 * @internal
 */
export interface InstanceRecord {
  readonly name: string
  readonly engine: string
  readonly engineVersion: string
  readonly status: string
  readonly tags: ReadonlyArray<readonly [key: string, value: string]>
  readonly ips: ReadonlyArray<string>
  readonly wire: Readonly<Record<string, unknown>>
}

/**
 * Whether offline key analysis answers `DCS.4230` for an instance by default: Memcached and Redis
 * 3.0 do (the versions the service documents as unsupported).
 *
 * @internal
 */
export const supportsKeyAnalysisByDefault = (instance: DcsEmulator.Instance): boolean =>
  (instance.engine ?? "Redis") !== "Memcached" && !(instance.engineVersion ?? "5.0").startsWith("3.")

/** The cache mode the nodes imply when the definition does not say. */
const cacheModeOf = (
  instance: DcsEmulator.Instance,
  nodes: ReadonlyArray<DcsEmulator.ResolvedNode>
): DcsEmulator.CacheMode => {
  if (instance.cacheMode !== undefined) return instance.cacheMode
  if (nodes.some((node) => node.role === "proxy")) return "proxy"
  const groups = new Set(nodes.filter((node) => node.role !== "proxy").map((node) => node.groupName))
  return groups.size > 1 ? "cluster" : nodes.length === 1 ? "single" : "ha"
}

/** `.125` for 0.125 GB, as the service writes `capacity_minor`. */
const minorText = (gigabytes: number): string => String(gigabytes).replace(/^0(?=\.)/, "")

/** A plausible flavor code for the engine, mode and capacity (the service's are of this form). */
const specCodeOf = (engine: string, version: string, mode: DcsEmulator.CacheMode, capacity: number): string => {
  if (engine === "Memcached") return mode === "single" ? "dcs.memcached.single_node" : "dcs.memcached.master_standby"
  if (version.startsWith("3.")) {
    return mode === "single" ? "dcs.single_node" : mode === "ha" ? "dcs.master_standby" : "dcs.cluster"
  }
  const size = capacity < 1 ? `tiny.${Math.round(capacity * 1024)}` : `large.${capacity}`
  switch (mode) {
    case "single":
      return `redis.single.xu1.${size}`
    case "ha":
      return `redis.ha.xu1.${size.replace(".", ".r2.")}`
    case "cluster":
      return `redis.cluster.xu1.large.r2.${Math.max(1, capacity)}`
    case "proxy":
      return `redis.proxy.xu1.large.${Math.max(1, capacity)}`
  }
}

const defaultCreatedAt = Date.parse("2024-03-12T06:41:09.217Z")

/**
 * The record of an instance with its defaults. Every field of the spec's `InstanceListInfo` is
 * there; `extraFields` come last and win, for tests that serve what no model knows.
 *
 * @internal
 */
export const resolveInstanceRecord = (
  instance: DcsEmulator.Instance,
  nodes: ReadonlyArray<DcsEmulator.ResolvedNode>
): InstanceRecord => {
  const id = instance.id
  const random = prng(seedOf(`instance/${id}`))
  const engine = instance.engine ?? "Redis"
  const engineVersion = instance.engineVersion ?? (engine === "Memcached" ? "" : "5.0")
  const status = instance.status ?? "RUNNING"
  const mode = cacheModeOf(instance, nodes)
  const capacity = instance.capacity ?? 1
  if (!(Number.isFinite(capacity) && capacity > 0)) {
    throw new RangeError(`DcsEmulator: the capacity of "${id}" must be a number of GB above 0, got ${capacity}`)
  }
  const maxMemory = instance.maxMemory ?? Math.round(capacity * 1024)
  const usedMemory = instance.usedMemory ??
    (status === "CREATING" ? 0 : Math.floor(maxMemory * between(random, 4, 70) / 100))
  const masters = nodes.filter((node) => node.role === "master")
  const ips = instance.ip !== undefined
    ? instance.ip.split(",")
    : mode === "cluster"
    ? masters.map((node) => node.ip)
    : [masters[0]?.ip ?? nodes[0]?.ip ?? "192.168.0.10"]
  const port = instance.port ?? (engine === "Memcached" ? 11211 : 6379)
  const createdAt = instance.createdAt ?? new Date(defaultCreatedAt - between(random, 0, 90 * 86_400_000)).toISOString()
  const tags = Object.entries(instance.tags ?? {})
  const azCodes = instance.azCodes ?? [...new Set(nodes.map((node) => node.azCode))]
  const domain = `redis-${id}.dcs.example.com`
  const wire: Record<string, unknown> = {
    instance_id: id,
    name: instance.name ?? `dcs-${id.replace(/[^0-9a-z]/gi, "").slice(0, 4).toLowerCase()}`,
    engine,
    engine_version: engineVersion,
    status,
    sub_status: instance.subStatus ?? "normal",
    capacity: capacity < 1 ? 0 : Math.round(capacity),
    capacity_minor: capacity < 1 ? minorText(capacity) : "",
    max_memory: maxMemory,
    used_memory: usedMemory,
    spec_code: instance.specCode ?? specCodeOf(engine, engineVersion, mode, capacity),
    ip: ips.join(","),
    port,
    domain_name: instance.domainName ?? domain,
    readonly_domain_name: mode === "ha" ? `redis-${id}-readonly.dcs.example.com` : "",
    created_at: createdAt,
    updated_at: createdAt,
    charging_mode: 0,
    order_id: null,
    maintain_begin: "18:00:00",
    maintain_end: "19:00:00",
    vpc_id: uuidFrom(`vpc/${id}`),
    vpc_name: "vpc-default",
    subnet_id: uuidFrom(`subnet/${id}`),
    security_group_id: uuidFrom(`security-group/${id}`),
    enable_publicip: false,
    publicip_id: null,
    publicip_address: null,
    enable_ssl: false,
    no_password_access: instance.noPasswordAccess ?? "false",
    access_user: null,
    service_upgrade: false,
    service_task_id: "",
    user_id: "0d5f8c1b2a3e4f5a6b7c8d9e0f1a2b3c",
    user_name: "ops-admin",
    enterprise_project_id: instance.enterpriseProjectId ?? "0",
    tags: tags.map(([key, value]) => ({ key, value })),
    description: instance.description ?? "",
    cpu_type: instance.cpuType ?? "x86_64",
    az_codes: azCodes,
    features: instance.features ?? {
      support_acl: engine === "Redis" && !engineVersion.startsWith("3."),
      support_transparent_client_ip: mode !== "proxy",
      support_ssl: engineVersion === "6.0",
      support_audit_log: false
    },
    ...instance.extraFields
  }
  return { name: String(wire.name), engine, engineVersion, status, tags, ips, wire }
}

// ---------------------------------------------------------------------------------------------
// The list's filters
// ---------------------------------------------------------------------------------------------

/**
 * The list's filters, parsed.
 *
 * @internal
 */
export interface InstanceFilter {
  readonly instanceId: string | undefined
  readonly name: string | undefined
  readonly nameEqual: boolean
  readonly status: string | undefined
  readonly ip: string | undefined
  readonly tags: ReadonlyArray<readonly [key: string, value: string]>
}

/**
 * `tags=k=v,k2=v2`: the pairs, or `undefined` for a pair without `=` or with an empty key.
 *
 * @internal
 */
export const parseTags = (text: string): ReadonlyArray<readonly [string, string]> | undefined => {
  const pairs: Array<readonly [string, string]> = []
  for (const pair of text.split(",")) {
    const at = pair.indexOf("=")
    if (at <= 0) return undefined
    pairs.push([pair.slice(0, at), pair.slice(at + 1)])
  }
  return pairs
}

/**
 * Whether an instance passes the filters: every one given must hold; `name` is a substring
 * match (case-sensitive) unless `name_equal=true`; every tag pair must be on the instance (AND);
 * `ip` matches any of a cluster's addresses.
 *
 * @internal
 */
export const matches = (record: InstanceRecord, id: string, filter: InstanceFilter): boolean =>
  (filter.instanceId === undefined || filter.instanceId === id) &&
  (filter.name === undefined ||
    (filter.nameEqual ? record.name === filter.name : record.name.includes(filter.name))) &&
  (filter.status === undefined || filter.status === record.status) &&
  (filter.ip === undefined || record.ips.includes(filter.ip)) &&
  filter.tags.every(([key, value]) => record.tags.some(([k, v]) => k === key && v === value))

// ---------------------------------------------------------------------------------------------
// The fleet generator
// ---------------------------------------------------------------------------------------------

type Random = () => number

interface Kind {
  readonly engine: "Redis" | "Memcached"
  readonly version: string
  readonly mode: DcsEmulator.CacheMode
  readonly status: string
  /** Sub-GB capacity, when set. */
  readonly capacity?: number
}

const running = (version: string, mode: DcsEmulator.CacheMode, capacity?: number): Kind =>
  capacity === undefined
    ? { engine: "Redis", version, mode, status: "RUNNING" }
    : { engine: "Redis", version, mode, status: "RUNNING", capacity }

// The first instances of every fleet, so that even a small fleet has one of each kind.
const firstKinds: ReadonlyArray<Kind> = [
  running("5.0", "ha"),
  running("5.0", "cluster"),
  running("6.0", "single", 0.5),
  running("4.0", "proxy"),
  running("6.0", "ha"),
  running("3.0", "ha"),
  { engine: "Memcached", version: "", mode: "ha", status: "RUNNING" },
  { engine: "Redis", version: "6.0", mode: "ha", status: "CREATING" },
  running("6.0", "cluster"),
  { engine: "Redis", version: "5.0", mode: "ha", status: "FROZEN" },
  { engine: "Redis", version: "5.0", mode: "single", status: "ERROR" },
  running("4.0", "ha", 0.125)
]

// The rest, by weight: mostly running master/standby instances, as fleets are.
const weightedKinds: ReadonlyArray<readonly [weight: number, kind: Kind]> = [
  [14, running("5.0", "ha")],
  [10, running("6.0", "ha")],
  [5, running("4.0", "ha")],
  [4, running("6.0", "single")],
  [3, running("5.0", "single")],
  [5, running("5.0", "cluster")],
  [4, running("6.0", "cluster")],
  [2, running("4.0", "cluster")],
  [3, running("5.0", "proxy")],
  [2, running("4.0", "proxy")],
  [3, running("3.0", "ha")],
  [1, running("3.0", "single")],
  [2, { engine: "Memcached", version: "", mode: "ha", status: "RUNNING" }],
  [2, { engine: "Redis", version: "6.0", mode: "ha", status: "CREATING" }],
  [1, { engine: "Redis", version: "5.0", mode: "ha", status: "FROZEN" }],
  [1, { engine: "Redis", version: "6.0", mode: "cluster", status: "ERROR" }],
  [1, { engine: "Redis", version: "5.0", mode: "ha", status: "RESTARTING" }],
  [1, { engine: "Redis", version: "5.0", mode: "ha", status: "EXTENDING" }]
]

const totalWeight = weightedKinds.reduce((sum, [weight]) => sum + weight, 0)

const pick = <A>(random: Random, items: ReadonlyArray<A>): A => items[between(random, 0, items.length)]!

const kindAt = (random: Random, index: number): Kind => {
  const first = firstKinds[index]
  if (first !== undefined) return first
  let roll = between(random, 0, totalWeight)
  for (const [weight, kind] of weightedKinds) {
    if (roll < weight) return kind
    roll -= weight
  }
  return weightedKinds[0]![1]
}

const teams = ["checkout", "search", "catalog", "payments", "identity", "feed", "ads", "inventory", "notify", "media"]

const usesByMode: Readonly<Record<DcsEmulator.CacheMode, ReadonlyArray<string>>> = {
  single: ["scratch", "dev-cache", "sandbox"],
  ha: ["cache", "sessions", "tokens", "ratelimit", "carts", "locks"],
  cluster: ["cluster", "leaderboard", "feed-store", "profiles"],
  proxy: ["proxy-cache", "timeline", "catalog-store"]
}

const capacitiesByMode: Readonly<Record<DcsEmulator.CacheMode, ReadonlyArray<number>>> = {
  single: [0.125, 0.25, 0.5, 1, 2, 4],
  ha: [0.25, 0.5, 1, 2, 4, 8, 16, 32],
  cluster: [4, 8, 16, 24, 32, 64],
  proxy: [8, 16, 32, 64]
}

/** Node status for an instance status: what the service shows is unconfirmed; plausible. */
const nodeStatus = (instanceStatus: string, index: number): string =>
  instanceStatus === "CREATING"
    ? "Creating"
    : instanceStatus === "FROZEN" || (instanceStatus === "ERROR" && index === 0)
    ? "Inactive"
    : "Active"

const biggestKeyBytes = (report: DcsEmulator.KeyAnalysisReport): number => report.largest_keys[0]?.bytes ?? 0

/**
 * The reports of a cluster's shards: the big keys of the instance are shared out among the shards
 * (no key is on two shards, as a key lives in one hash slot), and the report holding the biggest
 * key is put on shard `hot` (the emulator's sharing is its own fiction, so moving a share from one
 * shard to another breaks nothing a client can see).
 */
const shardReports = (
  instanceId: string,
  shards: number,
  hot: number
): ReadonlyArray<DcsEmulator.KeyAnalysisReport> => {
  const reports = Array.from(
    { length: shards },
    (_, index) => generateReport(`${instanceId}/group-${index}`, { shard: { index, count: shards } })
  )
  const sizes = reports.map(biggestKeyBytes)
  const biggest = sizes.indexOf(Math.max(...sizes))
  const moved = reports[hot]!
  reports[hot] = reports[biggest]!
  reports[biggest] = moved
  return reports
}

const fleetNodes = (
  random: Random,
  instanceId: string,
  kind: Kind,
  hotShard: (shards: number) => number
): ReadonlyArray<DcsEmulator.Node> => {
  const subnet = `10.${between(random, 0, 250)}.${between(random, 0, 250)}`
  const nodes: Array<DcsEmulator.Node> = []
  const add = (
    role: "master" | "slave" | "proxy",
    group: number | undefined,
    report?: DcsEmulator.KeyAnalysisReport
  ) => {
    const index = nodes.length
    const ip = `${subnet}.${10 + index}`
    const label = role === "slave" ? "replica" : role
    nodes.push({
      id: hex32From(`${instanceId}/node/${index}`),
      name: `(${label})${ip}`,
      role,
      ip,
      groupName: group === undefined ? "" : `group-${group}`,
      ...(group === undefined ? { groupId: "" } : {}),
      azCode: index % 2 === 0 ? "ap-southeast-1a" : "ap-southeast-1b",
      status: nodeStatus(kind.status, index),
      port: kind.engine === "Memcached" ? 11211 : 6379,
      ...(report === undefined ? {} : { report })
    })
  }
  switch (kind.mode) {
    case "single":
      add("master", 0, generateReport(`${instanceId}/group-0`))
      break
    case "ha": {
      const report = generateReport(`${instanceId}/group-0`)
      add("master", 0, report)
      const replicas = random() < 0.2 ? 2 : 1
      for (let i = 0; i < replicas; i++) add("slave", 0, report)
      break
    }
    case "cluster":
    case "proxy": {
      const shards = between(random, 3, kind.mode === "cluster" ? 7 : 5)
      const reports = shardReports(instanceId, shards, hotShard(shards))
      for (let shard = 0; shard < shards; shard++) {
        add("master", shard, reports[shard])
        add("slave", shard, reports[shard])
      }
      if (kind.mode === "proxy") {
        const proxies = between(random, 2, 4)
        for (let i = 0; i < proxies; i++) add("proxy", undefined)
      }
    }
  }
  return nodes
}

/** The `now` of a fleet unless told otherwise: the newest instance was created shortly before it. */
const defaultFleetNow = Date.parse("2024-10-15T02:21:18.669Z")

/**
 * The fleet: instance `i` is drawn from its own generator (seed and index), so a smaller fleet of
 * the same seed is a prefix of a bigger one.
 *
 * @internal
 */
export const generateFleet = (options?: {
  readonly seed?: number | undefined
  readonly size?: number | undefined
  readonly now?: number | undefined
}): ReadonlyArray<DcsEmulator.Instance> => {
  const seed = options?.seed ?? 1
  const size = options?.size ?? 40
  if (!(Number.isSafeInteger(size) && size >= 0)) {
    throw new RangeError(`DcsEmulator: a fleet size must be an integer >= 0, got ${size}`)
  }
  const now = options?.now ?? defaultFleetNow
  const fleet: Array<DcsEmulator.Instance> = []
  let firstCluster = true
  for (let index = 0; index < size; index++) {
    const random = prng(seedOf(`fleet/${seed}/${index}`))
    const kind = kindAt(random, index)
    const id = uuid(random)
    const team = pick(random, teams)
    const use = kind.engine === "Memcached" ? "memcache" : pick(random, usesByMode[kind.mode])
    const capacity = kind.capacity ?? pick(random, capacitiesByMode[kind.mode])
    const env = kind.mode === "single" ? pick(random, ["dev", "dev", "staging"]) : pick(random, [
      "prod",
      "prod",
      "prod",
      "staging",
      "dev"
    ])
    const clustered = kind.mode === "cluster" || kind.mode === "proxy"
    // The fleet's first cluster keeps its biggest key on its second shard (group-1), so a merge
    // that only reads the first shard shows; the other clusters' hot shard is drawn.
    const hotShard = (shards: number) => clustered && firstCluster ? 1 : between(random, 0, shards)
    const nodes = fleetNodes(random, id, kind, hotShard)
    if (clustered) firstCluster = false
    // Newest first, hours to days apart.
    const createdAt = now - 60_000 - index * 36 * 3_600_000 - between(random, 0, 30 * 3_600_000)
    const enterpriseRoll = index === 4 ? 0 : random()
    const passwordRoll = index === 2 ? 0 : random()
    const supported = kind.engine === "Redis" && !kind.version.startsWith("3.")
    const taskCount = kind.status === "RUNNING" && supported ? between(random, 0, 4) : 0
    fleet.push({
      id,
      name: `${team}-${use}-${String(index + 1).padStart(2, "0")}`,
      engine: kind.engine,
      engineVersion: kind.version,
      cacheMode: kind.mode,
      status: kind.status,
      subStatus: "normal",
      capacity,
      ...(kind.status === "CREATING" ? { usedMemory: 0 } : {}),
      createdAt: new Date(createdAt).toISOString(),
      tags: index % 7 === 6 ? {} : { env, team, ...(random() < 0.3 ? { owner: `${team}-oncall` } : {}) },
      // The service is loose here: mostly "0" or a UUID, sometimes the number 0.
      enterpriseProjectId: enterpriseRoll < 0.15 ? 0 : enterpriseRoll < 0.35 ? uuidFrom(`eps/${team}`) : "0",
      // Documented as a string; some answers carry a JSON boolean.
      noPasswordAccess: passwordRoll < 0.15 ? passwordRoll < 0.07 : passwordRoll < 0.3 ? "true" : "false",
      cpuType: random() < 0.2 ? "aarch64" : "x86_64",
      description: `${team} ${use} (${env})`,
      nodes,
      tasks: generateTasks(taskCount, { seed: seedOf(id), now: now - 600_000 })
    })
  }
  return fleet
}
