// The service-worker entry: explicit initialisation, then the same API.
import { AgentClient, init, initSync } from "agentwire/manual";

async function onMessage(key: string): Promise<string> {
  await init();
  const client = await AgentClient.create({ apiKey: key });
  const r = await client.chat.completions({ model: "m", messages: [{ role: "user", content: "hi" }] });
  return r.choices[0]?.message.content ?? "";
}

declare const compiled: WebAssembly.Module;
initSync(compiled);
void onMessage;
