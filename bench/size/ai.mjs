import { generateText } from "ai";
import { createOpenAI } from "@ai-sdk/openai";
const openai = createOpenAI({ baseURL: "https://api.example.com/v1", apiKey: globalThis.API_KEY });
const { text } = await generateText({ model: openai.chat("gpt-4o-mini"), prompt: "Hello" });
console.log(text);
