/**
 * Runs `dcs-key-analysis` as a user does: a child process with an environment the test chooses,
 * and stdout, stderr and the exit code captured. Every output is checked for the secrets
 * registered with `registerSecret`.
 *
 * The entry is `src/bin.ts` (the module the published `bin/dcs-key-analysis.js` runs, compiled).
 * With `DCS_CLI_ENTRY=bin` the tests run `bin/dcs-key-analysis.js` itself, which needs `pnpm build`
 * first. Either way under `--import tsx`: in the workspace `@effect-dcs/core` and
 * `@effect-dcs/node` resolve to their TypeScript sources.
 */
import { Effect } from "effect"
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

export const packageDir = fileURLToPath(new URL("../..", import.meta.url))
export const binPath = process.env.DCS_CLI_ENTRY === "bin"
  ? Path.join(packageDir, "bin", "dcs-key-analysis.js")
  : Path.join(packageDir, "src", "bin.ts")

export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const secrets = new Set<string>()

/** A value that must appear in no output of the tool (a secret key, a security token). */
export const registerSecret = (secret: string): void => {
  secrets.add(secret)
}

const leaked = (result: Result): boolean =>
  [...secrets].some((secret) => result.stdout.includes(secret) || result.stderr.includes(secret))

// No profile file, and an ECS metadata service that refuses at once: the credentials chain must
// find only what a test puts in the environment.
const home = Fs.mkdtempSync(Path.join(Os.tmpdir(), "dcs-cli-home-"))

/**
 * The test's own environment without any cloud variable, and with nowhere else for credentials
 * to come from.
 */
export const cleanEnv = (extra: Readonly<Record<string, string>> = {}): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(CLOUD_SDK_|HUAWEICLOUD_SDK_|DCS_)/.test(name)) env[name] = value
  }
  return {
    ...env,
    HOME: home,
    USERPROFILE: home,
    HUAWEICLOUD_SDK_METADATA_ENDPOINT: "http://127.0.0.1:9",
    ...extra
  }
}

/** Runs a command line to its end (or kills it after `timeout` ms). */
export const spawnCli = (
  args: ReadonlyArray<string>,
  options: { readonly env?: Readonly<Record<string, string>>; readonly timeout?: number } = {}
): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", binPath, ...args], {
      cwd: packageDir,
      env: options.env ?? cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeout ?? 90_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      const result = { code, stdout, stderr }
      if (leaked(result)) reject(new Error(`a secret appeared in the output of: ${args.join(" ")}`))
      else resolve(result)
    })
  })

/** `spawnCli` as an Effect. */
export const runCli = (
  args: ReadonlyArray<string>,
  options: { readonly env?: Readonly<Record<string, string>>; readonly timeout?: number } = {}
): Effect.Effect<Result> => Effect.promise(() => spawnCli(args, options))

/** Several command lines, two at a time (the machine has two cores). */
export const runAll = (
  lines: ReadonlyArray<ReadonlyArray<string>>,
  options: { readonly env?: Readonly<Record<string, string>>; readonly timeout?: number } = {}
): Effect.Effect<Array<Result>> => Effect.forEach(lines, (args) => runCli(args, options), { concurrency: 2 })

/** The NDJSON lines of an output, parsed. */
export const ndjson = (text: string): Array<Record<string, unknown>> =>
  text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Record<string, unknown>)

/** Whether `script` (util-linux) can give the tool a terminal. */
export const hasScript = (): boolean => {
  try {
    return Fs.existsSync("/usr/bin/script") || Fs.existsSync("/bin/script")
  } catch {
    return false
  }
}
