package dev.loupe.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.loupe.core.lm.LanguageModel.LogLikelihood;
import dev.loupe.core.lm.LocalLanguageModel;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.tokenizer.Tokenizer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A stand-in for loupe-serve until it lands: the OpenAI completions contract ({@code echo + logprobs} and plain
 * generation) served over real HTTP from a {@link LocalLanguageModel}. Echoed tokens are the prompt's tokens after
 * BOS, each with its log-probability given everything before it (the first one given BOS alone, so nothing is
 * null), its character offset, and a top-1 entry that is the token itself exactly when it was the greedy choice.
 */
final class OpenAiShim implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final LocalLanguageModel lm;

    OpenAiShim(LocalLanguageModel lm) throws IOException {
        this.lm = lm;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/completions", this::completions);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    private synchronized void completions(HttpExchange ex) throws IOException {
        JsonNode req = JSON.readTree(ex.getRequestBody());
        String prompt = req.get("prompt").asText();
        ObjectNode choice = JSON.createObjectNode();
        if (req.path("echo").asBoolean()) {
            choice.put("text", prompt);
            choice.set("logprobs", echo(prompt));
        } else {
            List<String> stop = new ArrayList<>();
            req.path("stop").forEach(s -> stop.add(s.asText()));
            SamplingParams p = SamplingParams.greedy().withMaxTokens(req.path("max_tokens").asInt(16)).withStop(stop);
            var c = lm.complete(prompt, p, null);
            choice.put("text", c.text());
            choice.put("finish_reason", c.finishReason());
        }
        ObjectNode resp = JSON.createObjectNode();
        resp.putArray("choices").add(choice);
        byte[] b = resp.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private ObjectNode echo(String prompt) {
        Tokenizer tok = lm.tokenizer();
        int[] ids = tok.encode(prompt, true, false);
        int first = ids.length > 0 && tok.isControl(ids[0]) ? 1 : 0;
        ObjectNode lp = JSON.createObjectNode();
        ArrayNode tokens = lp.putArray("tokens"), logprobs = lp.putArray("token_logprobs"),
                offsets = lp.putArray("text_offset"), top = lp.putArray("top_logprobs");
        String before = "";
        for (int i = first; i < ids.length; i++) {
            String upTo = tok.decode(Arrays.copyOfRange(ids, first, i + 1));
            String piece = upTo.substring(before.length());
            LogLikelihood ll = lm.logLikelihood(before, piece);
            tokens.add(piece);
            logprobs.add(ll.logProb());
            offsets.add(before.codePointCount(0, before.length()));
            ObjectNode t = top.addObject();
            if (ll.greedy()) t.put(piece, ll.logProb());
            else t.put("\u0000not-" + piece, ll.logProb() + 1);
            before = upTo;
        }
        if (!before.equals(prompt)) throw new IllegalStateException("decode does not round-trip the prompt: '" + before + "'");
        return lp;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
