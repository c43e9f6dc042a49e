#!/usr/bin/env node
// The workspace's dcs-key-analysis (the `bin` of packages/cli/package.json): the built CLI
// (`pnpm build` emits build/esm). In the workspace the @effect-dcs packages export their TypeScript
// sources, so tsx (a devDependency) loads those. The published package runs dist/esm/bin.js
// directly (publishConfig.bin), against the built packages.
// Without a build: `pnpm --filter @effect-dcs/cli start -- <command> …`.
import { register } from "tsx/esm/api"

register()
await import("../build/esm/bin.js")
