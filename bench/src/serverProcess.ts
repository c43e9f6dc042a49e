/**
 * Starts server.ts in a child process and stops it.
 */
import * as ChildProcess from "node:child_process"
import { fileURLToPath } from "node:url"
import type { Dataset } from "./fixtures.js"

export interface ServerProcess {
  readonly endpoint: string
  readonly stop: () => Promise<void>
}

const serverPath = fileURLToPath(new URL("./server.ts", import.meta.url))

/** Runs a TypeScript entry point of the bench in a child process, with tsx's loader. */
export const forkTs = (
  path: string,
  args: ReadonlyArray<string>,
  options: { readonly stdio?: ChildProcess.StdioOptions; readonly execArgv?: ReadonlyArray<string> } = {}
): ChildProcess.ChildProcess =>
  ChildProcess.fork(path, args, {
    execArgv: ["--import", "tsx", ...(options.execArgv ?? [])],
    stdio: options.stdio ?? "inherit"
  })

export const startServer = (datasets: ReadonlyArray<Dataset>): Promise<ServerProcess> =>
  new Promise((resolve, reject) => {
    const child = forkTs(serverPath, [JSON.stringify(datasets)])
    const exited = new Promise<void>((done) => child.once("exit", () => done()))
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`the server exited with ${code} before listening`)))
    child.once("message", (message) => {
      const { port } = message as { readonly port: number }
      const endpoint = `http://127.0.0.1:${port}`
      resolve({
        endpoint,
        stop: () => {
          child.disconnect()
          return exited
        }
      })
    })
  })
