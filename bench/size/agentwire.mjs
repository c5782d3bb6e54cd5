import { AgentClient } from "agentwire";
const client = new AgentClient({ baseUrl: "https://api.example.com", apiKey: globalThis.API_KEY, auth: "bearer" });
const r = await client.chat.completions({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] });
console.log(r.choices[0].message.content);
