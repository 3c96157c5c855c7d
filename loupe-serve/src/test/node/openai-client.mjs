// Drives a running Loupe server with the official openai npm client: chat, legacy completion and a streamed chat.
// Usage: node openai-client.mjs BASE_URL MODEL. Prints one JSON object with what came back; exits 1 on any failure.
import OpenAI from "openai";

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: "not-needed", maxRetries: 0, timeout: 60_000 });
const messages = [{ role: "user", content: "Tell me a story" }];

const chat = await client.chat.completions.create({ model, messages, max_tokens: 12, temperature: 0 });
const completion = await client.completions.create({ model, prompt: "Once upon a time", max_tokens: 12, temperature: 0 });
const stream = await client.chat.completions.create({
  model, messages, max_tokens: 12, temperature: 0, stream: true, stream_options: { include_usage: true },
});
let streamed = "";
let usage = null;
let finish = null;
for await (const chunk of stream) {
  if (chunk.usage) usage = chunk.usage;
  const choice = chunk.choices[0];
  if (choice?.delta?.content) streamed += choice.delta.content;
  if (choice?.finish_reason) finish = choice.finish_reason;
}
const models = await client.models.list();

console.log(JSON.stringify({
  chat: chat.choices[0].message.content,
  chat_usage: chat.usage,
  completion: completion.choices[0].text,
  streamed,
  stream_finish: finish,
  stream_usage: usage,
  models: models.data.map(m => m.id),
}));
