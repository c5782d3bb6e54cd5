import ky from "ky";
const r = await ky.post("https://api.example.com/v1/chat/completions", {
  headers: { authorization: `Bearer ${globalThis.API_KEY}` },
  json: { model: "gpt-4o-mini", messages: [{ role: "user", content: "Hello" }] },
}).json();
console.log(r.choices[0].message.content);
