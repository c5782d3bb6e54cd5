import Anthropic from "@anthropic-ai/sdk";
const client = new Anthropic({ baseURL: "https://api.example.com", apiKey: globalThis.API_KEY, dangerouslyAllowBrowser: true });
const r = await client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 256, messages: [{ role: "user", content: "Hello" }] });
console.log(r.content[0].text);
