// Drives a running Loupe server with the official openai npm client: chat, legacy completion, a streamed chat,
// JSON mode, a tool call (whole, and streamed as the client's stream helper assembles it) and embeddings.
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

const json = await client.chat.completions.create({
  model, messages, max_tokens: 40, temperature: 1, seed: 1, response_format: { type: "json_object" },
});
const tools = [{
  type: "function",
  function: {
    name: "get_weather", description: "Weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" }, unit: { enum: ["C", "F"] } }, required: ["city", "unit"] },
  },
}];
const toolCall = await client.chat.completions.create({
  model, messages, max_tokens: 100, temperature: 1, seed: 2, tools, tool_choice: "required",
});
const toolStream = client.chat.completions.stream({
  model, messages, max_tokens: 100, temperature: 1, seed: 3, tools,
  tool_choice: { type: "function", function: { name: "get_weather" } },
});
const streamedTool = await toolStream.finalChatCompletion();
// The client asks for base64 by default and decodes it to floats.
const embedding = await client.embeddings.create({ model, input: ["Hello world", "Goodbye"] });

console.log(JSON.stringify({
  chat: chat.choices[0].message.content,
  chat_usage: chat.usage,
  completion: completion.choices[0].text,
  streamed,
  stream_finish: finish,
  stream_usage: usage,
  models: models.data.map(m => m.id),
  json_content: json.choices[0].message.content,
  tool_finish: toolCall.choices[0].finish_reason,
  tool_call: toolCall.choices[0].message.tool_calls[0],
  streamed_tool_finish: streamedTool.choices[0].finish_reason,
  streamed_tool_call: streamedTool.choices[0].message.tool_calls[0],
  embeddings: embedding.data.map(d => Array.from(d.embedding)),
  embedding_usage: embedding.usage,
}));
