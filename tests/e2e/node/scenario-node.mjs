// Node ESM: imports "agentwire" through the installed package (condition "node"), no init().
// Usage (from the scratch app): node scenario-node.mjs <platformUrl>
import * as aw from "agentwire";
import { runScenarios } from "./scenarios.mjs";

const platformUrl = process.argv[2];
if (!platformUrl) {
  console.error("usage: node scenario-node.mjs <platformUrl>");
  process.exit(2);
}
const results = await runScenarios(aw, { platformUrl, runtime: "node" });
process.stdout.write(`__E2E_RESULTS__ ${JSON.stringify(results)}\n`);
