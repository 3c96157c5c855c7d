// Drives a Loupe server whose chat template has a native tool-call format (Qwen 2.5's <tool_call> tags) with the
// official openai npm client: the same request whole and streamed (same seed, so the same tokens), the stream
// assembled by the client's own helper from deltas that carry each call's arguments in fragments as they are
// generated. Usage: node openai-tools.mjs BASE_URL MODEL. Prints one JSON object; exits 1 on any failure.
import OpenAI from "openai";

const [baseURL, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: "not-needed", maxRetries: 0, timeout: 60_000 });
const tools = [
  { type: "function", function: { name: "get_weather", description: "Weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" }, unit: { enum: ["C", "F"] } }, required: ["city", "unit"] } } },
  { type: "function", function: { name: "add",
    parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] } } },
];
const request = {
  model, messages: [{ role: "user", content: "Weather in Paris?" }], max_tokens: 90, temperature: 1, seed: 4,
  tools, tool_choice: "required", parallel_tool_calls: true,
};
const whole = await client.chat.completions.create(request);

const stream = client.chat.completions.stream(request);
let argumentDeltas = 0;
stream.on("chunk", chunk => {
  for (const tc of chunk.choices[0]?.delta?.tool_calls ?? []) if (tc.function?.arguments) argumentDeltas++;
});
const assembled = await stream.finalChatCompletion();

const calls = message => (message.tool_calls ?? []).map(c => ({ name: c.function.name, arguments: c.function.arguments }));
console.log(JSON.stringify({
  whole_finish: whole.choices[0].finish_reason,
  whole_calls: calls(whole.choices[0].message),
  streamed_finish: assembled.choices[0].finish_reason,
  streamed_calls: calls(assembled.choices[0].message),
  streamed_ids: (assembled.choices[0].message.tool_calls ?? []).map(c => c.id),
  argument_deltas: argumentDeltas,
}));
