import OpenAI from "openai";
const client = new OpenAI({ baseURL: "https://api.example.com/v1", apiKey: globalThis.API_KEY, dangerouslyAllowBrowser: true });
const r = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] });
console.log(r.choices[0].message.content);
