package dev.loupe.serve.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.tokenizer.Tokenizer;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.List;

/** llama-server's {@code /tokenize} and {@code /detokenize}, with its field names. */
final class TokenApi {
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Tokens(int[] tokens, List<Piece> pieces) {}

    record Piece(int id, String piece) {}

    record Content(String content) {}

    private final Tokenizer tokenizer;
    private final ObjectMapper json;

    TokenApi(Tokenizer tokenizer, ObjectMapper json) {
        this.tokenizer = tokenizer;
        this.json = json;
    }

    void register(RoutesConfig r) {
        r.post("/tokenize", this::tokenize);
        r.post("/detokenize", this::detokenize);
    }

    private void tokenize(Context ctx) {
        Body b = Body.parse(json, ctx.bodyAsBytes());
        String content = b.requiredString("content");
        int[] ids = tokenizer.encode(content, b.bool("add_special", false), b.bool("parse_special", true));
        List<Piece> pieces = null;
        if (b.bool("with_pieces", false)) {
            pieces = new ArrayList<>();
            for (int id : ids) pieces.add(new Piece(id, tokenizer.piece(id)));
        }
        ctx.json(new Tokens(ids, pieces));
    }

    private void detokenize(Context ctx) {
        Body b = Body.parse(json, ctx.bodyAsBytes());
        int[] ids = b.ints("tokens");
        for (int id : ids) {
            if (id < 0 || id >= tokenizer.vocabSize()) throw ApiError.badRequest("token id " + id + " is outside the vocabulary (size " + tokenizer.vocabSize() + ")", "tokens");
        }
        ctx.json(new Content(tokenizer.decode(ids)));
    }
}
