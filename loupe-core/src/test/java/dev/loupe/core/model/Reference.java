package dev.loupe.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.Fixtures;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/** llama.cpp's recorded outputs for one fixture model (see shared/fixtures/README.md). */
record Reference(String model, int vocab, List<Prompt> prompts, float[] firstPromptLogits) {

    record Prompt(String text, int[] promptIds, int[] greedyIds, float[] margins, boolean stoppedAtEog) {}

    /** A reference from ../shared/fixtures/reference. */
    static Reference load(String model) throws IOException {
        return load(model, Fixtures.reference(model + ".json"), Fixtures.reference(model + ".logits.f32"));
    }

    /** A reference recorded for a generated model, kept in this module's test resources. */
    static Reference loadGenerated(String model) throws IOException {
        try {
            java.nio.file.Path dir = java.nio.file.Path.of(Reference.class.getResource("/reference/" + model + ".json").toURI()).getParent();
            String file = java.nio.file.Path.of(model).getFileName().toString(); // model may name a subfolder
            return load(model, dir.resolve(file + ".json"), dir.resolve(file + ".logits.f32"));
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
    }

    private static Reference load(String model, java.nio.file.Path json, java.nio.file.Path logitsFile) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        List<Prompt> prompts = new ArrayList<>();
        for (JsonNode p : root.get("prompts")) {
            prompts.add(new Prompt(p.get("prompt").asText(), ints(p.get("prompt_ids")), ints(p.get("greedy_ids")),
                    floats(p.get("top1_top2_margins")), p.get("stopped_at_eog").asBoolean()));
        }
        byte[] raw = Files.readAllBytes(logitsFile);
        float[] logits = new float[raw.length / 4];
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(logits);
        return new Reference(model, root.get("n_vocab").asInt(), prompts, logits);
    }

    private static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    private static float[] floats(JsonNode a) {
        float[] r = new float[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = (float) a.get(i).asDouble();
        return r;
    }
}
