// Loupe's chat page: conversations kept in localStorage, replies streamed from /v1/chat/completions (SSE),
// a Stop button that aborts the request (the server then cancels the sequence), settings sent with each request.
"use strict";
(() => {
  const $ = id => document.getElementById(id);
  const STORE = "loupe.conversations";
  const SETTINGS = ["temperature", "top_p", "top_k", "max_tokens", "seed", "system", "api_key"];
  let conversations = JSON.parse(localStorage.getItem(STORE) || "[]");
  let current = null;
  let controller = null;

  const save = () => localStorage.setItem(STORE, JSON.stringify(conversations));

  function headers() {
    const h = { "Content-Type": "application/json" };
    const key = $("api_key").value.trim();
    if (key) h.Authorization = "Bearer " + key;
    return h;
  }

  async function loadModels() {
    try {
      const res = await fetch("/v1/models", { headers: headers() });
      const body = await res.json();
      if (!res.ok) throw new Error(body.error ? body.error.message : res.statusText);
      $("model").innerHTML = body.data.map(m => `<option>${Markdown.escape(m.id)}</option>`).join("");
      status("");
    } catch (e) {
      status("Could not list models: " + e.message);
    }
  }

  function status(text) { $("status").textContent = text; }

  function newConversation() {
    current = { id: Date.now().toString(36), title: "New chat", messages: [] };
    conversations.unshift(current);
    save();
    renderAll();
  }

  function renderList() {
    const ul = $("conversations");
    ul.innerHTML = "";
    for (const c of conversations) {
      const li = document.createElement("li");
      li.className = c === current ? "active" : "";
      li.innerHTML = `<span>${Markdown.escape(c.title)}</span><button title="Delete" aria-label="Delete">×</button>`;
      li.querySelector("span").onclick = () => { if (!controller) { current = c; renderAll(); } };
      li.querySelector("button").onclick = () => {
        if (controller) return;
        conversations = conversations.filter(x => x !== c);
        if (current === c) current = conversations[0] || null;
        save();
        if (!current) newConversation(); else renderAll();
      };
      ul.appendChild(li);
    }
  }

  function messageElement(m) {
    const div = document.createElement("div");
    div.className = "message " + m.role;
    fill(div, m);
    return div;
  }

  function fill(div, m) {
    if (m.role === "user") div.textContent = m.content;
    else div.innerHTML = Markdown.render(m.content) + (m.meta ? `<div class="meta">${Markdown.escape(m.meta)}</div>` : "");
  }

  function renderAll() {
    renderList();
    const box = $("messages");
    box.innerHTML = "";
    for (const m of current.messages) box.appendChild(messageElement(m));
    box.scrollTop = box.scrollHeight;
  }

  function requestBody() {
    const num = id => $(id).value === "" ? undefined : Number($(id).value);
    const messages = [];
    const system = $("system").value.trim();
    if (system) messages.push({ role: "system", content: system });
    for (const m of current.messages) if (m.role !== "error") messages.push({ role: m.role, content: m.content });
    return {
      model: $("model").value || undefined, messages, stream: true, stream_options: { include_usage: true },
      temperature: num("temperature"), top_p: num("top_p"), top_k: num("top_k"), max_tokens: num("max_tokens"), seed: num("seed"),
    };
  }

  /** Reads server-sent events from a fetch body, calling onData with each event's parsed JSON. */
  async function readEvents(body, onData) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        for (const line of event.split("\n")) {
          if (!line.startsWith("data: ")) continue;
          const data = line.slice(6);
          if (data === "[DONE]") return;
          onData(JSON.parse(data));
        }
      }
    }
  }

  async function send(text) {
    current.messages.push({ role: "user", content: text });
    if (current.title === "New chat") current.title = text.slice(0, 40);
    const reply = { role: "assistant", content: "" };
    current.messages.push(reply);
    renderAll();
    const el = $("messages").lastChild;
    controller = new AbortController();
    $("stop").hidden = false;
    $("send").disabled = true;
    const started = performance.now();
    let first = 0, tokens = 0, timings = null, stopped = false;
    status("Waiting for the first token…");
    try {
      const res = await fetch("/v1/chat/completions", {
        method: "POST", headers: headers(), body: JSON.stringify(requestBody()), signal: controller.signal,
      });
      if (!res.ok) {
        const body = await res.json().catch(() => ({}));
        throw new Error(body.error ? body.error.message : res.status + " " + res.statusText);
      }
      await readEvents(res.body, chunk => {
        if (chunk.error) throw new Error(chunk.error.message);
        if (chunk.timings) timings = chunk.timings;
        if (chunk.usage) tokens = chunk.usage.completion_tokens;
        const delta = chunk.choices && chunk.choices[0] && chunk.choices[0].delta;
        if (delta && delta.content) {
          if (!first) first = performance.now();
          tokens++;
          reply.content += delta.content;
          fill(el, reply);
          $("messages").scrollTop = $("messages").scrollHeight;
          const secs = (performance.now() - first) / 1000;
          status(secs > 0 ? `${(tokens / secs).toFixed(1)} tokens/s` : "");
        }
      });
    } catch (e) {
      if (e.name === "AbortError") stopped = true;
      else current.messages.push({ role: "error", content: "Error: " + e.message });
    } finally {
      const ttft = first ? ((first - started) / 1000).toFixed(2) + " s to first token" : "";
      const speed = timings && timings.predicted_per_second ? timings.predicted_per_second.toFixed(1) + " tokens/s"
        : tokens && first ? (tokens / ((performance.now() - first) / 1000)).toFixed(1) + " tokens/s" : "";
      reply.meta = [stopped ? "stopped" : "", speed, ttft].filter(Boolean).join(" · ");
      status(speed);
      controller = null;
      $("stop").hidden = true;
      $("send").disabled = false;
      save();
      renderAll();
    }
  }

  $("composer").addEventListener("submit", e => {
    e.preventDefault();
    const text = $("input").value.trim();
    if (!text || controller) return;
    $("input").value = "";
    send(text);
  });
  $("input").addEventListener("keydown", e => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("composer").requestSubmit(); }
  });
  $("stop").addEventListener("click", () => controller && controller.abort());
  $("new-chat").addEventListener("click", () => { if (!controller) newConversation(); });
  for (const id of SETTINGS) {
    const saved = localStorage.getItem("loupe.setting." + id);
    if (saved !== null) $(id).value = saved;
    $(id).addEventListener("change", () => {
      localStorage.setItem("loupe.setting." + id, $(id).value);
      if (id === "api_key") loadModels();
    });
  }

  loadModels();
  if (conversations.length) { current = conversations[0]; renderAll(); } else newConversation();
})();
