#!/usr/bin/env node
/**
 * The entry of `dcs-key-analysis`: runs the command line with `NodeRuntime.runMain` and exits with
 * the tool's exit code (0 success, 1 API error, 2 usage or configuration error, 130 interrupted).
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Effect from "effect/Effect"
import * as Cli from "./Cli.js"

// A reader that stops early (`| head`) closes the pipe: the output is no longer wanted, which is
// not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(Cli.ExitCode.ok)
  throw error
})

// `pnpm start -- list …` passes the `--` on; before any command it means nothing.
const argv = process.argv[2] === "--" ? [...process.argv.slice(0, 2), ...process.argv.slice(3)] : process.argv

Cli.main(argv).pipe(
  Effect.provide(NodeContext.layer),
  // `main` logs to stderr itself: no pretty logger on stdout.
  NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true, teardown: Cli.teardown })
)
