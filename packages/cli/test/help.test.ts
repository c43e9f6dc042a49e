/**
 * `--help` for the tool and each command, `--version`, and the shell completions of `@effect/cli`:
 * no configuration needed, exit code 0, and no colour codes when stdout is not a terminal.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runAll } from "./support/cli.js"

const ansi = /\u001b\[/

const commands = ["list", "analyze", "show", "delete", "wait", "nodes", "diff", "report"] as const

describe("help", () => {
  it.effect(
    "--help for the tool and every command, without a command, --version, --completions",
    () =>
      Effect.gen(function*() {
        const [tool, bare, version, bash, zsh, ...perCommand] = yield* runAll([
          ["--help"],
          [],
          ["--version"],
          ["--completions", "bash"],
          ["--completions", "zsh"],
          ...commands.map((command) => [command, "--help"])
        ])
        for (const result of [tool!, bare!, version!, bash!, zsh!, ...perCommand]) {
          expect(result.code).toBe(0)
          expect(result.stderr).toBe("")
          expect(result.stdout).not.toMatch(ansi)
        }
        for (const result of [tool!, bare!]) {
          expect(result.stdout).toContain("dcs-key-analysis 0.1.0")
          for (const command of commands) expect(result.stdout).toMatch(new RegExp(`^\\s+- ${command} `, "m"))
        }
        expect(version!.stdout.trim()).toBe("0.1.0")
        expect(bash!.stdout).toContain("complete -F")
        expect(bash!.stdout).toContain("dcs-key-analysis")
        expect(zsh!.stdout).toContain("#compdef dcs-key-analysis")

        const help = Object.fromEntries(commands.map((command, i) => [command, perCommand[i]!.stdout]))
        for (const command of commands) {
          expect(help[command]).toMatch(new RegExp(`^\\$ ${command} `, "m"))
          for (const flag of ["--endpoint", "--region", "--project-id", "--sk-file", "--emulator"]) {
            expect(help[command]).toContain(flag)
          }
          // `report` writes a page: no JSON.
          if (command !== "report") expect(help[command]).toContain("--json")
          expect(help[command]).toContain("<instance-id>")
        }
        for (const flag of ["--status", "--all", "--page-size", "--offset", "--limit"]) {
          expect(help.list).toContain(flag)
        }
        for (const flag of ["--node", "--backup", "--timeout"]) expect(help.analyze).toContain(flag)
        expect(help.wait).toContain("--timeout")
        for (const command of ["show", "delete", "wait", "nodes", "diff", "report"]) {
          expect(help[command]).toContain("<task-id>")
        }
        for (const flag of ["--last", "--node", "--fail-on-growth", "--fail-on-growth-bytes"]) {
          expect(help.diff).toContain(flag)
        }
        for (const flag of ["--compare", "--out", "--open"]) expect(help.report).toContain(flag)
        for (const command of ["show", "analyze"]) expect(help[command]).toContain("--chart")
        // The secret key is never a flag.
        for (const command of commands) expect(help[command]).not.toMatch(/--(sk|secret-key|secret)\b(?!-file)/)
      }),
    240_000
  )
})
