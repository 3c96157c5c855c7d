package dev.loupe.core.context;

import dev.loupe.core.Fixtures;
import dev.loupe.core.LoupeException;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Chunked perplexity against llama.cpp's llama-perplexity on the same text and context (references and the command
 * that made them in src/test/resources/reference/perplexity), and streaming perplexity against the batched logits of
 * the same tokens.
 */
class PerplexityTest {
    /** Tiny Shakespeare's last 111540 bytes: nanoGPT's validation tenth, as the references were run on. */
    static String validationText() throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.shared().resolve("data/tinyshakespeare/input.txt"));
        return new String(Arrays.copyOfRange(all, all.length - 111540, all.length), StandardCharsets.UTF_8);
    }

    static Path shippedModel() {
        return Path.of(System.getProperty("loupe.home"), "models", "loupe-shakespeare.gguf");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"shipped-c128, shipped, 128, 8", "tiny-llama-f32-c256, tiny-llama-f32.gguf, 256, 4"})
    void chunkedMatchesLlamaPerplexity(String ref, String model, int ctx, int chunks) throws IOException {
        String expected;
        try (InputStream in = PerplexityTest.class.getResourceAsStream("/reference/perplexity/" + ref + ".txt")) {
            expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = Pattern.compile("\\[(\\d+)]([0-9.]+),").matcher(expected);
        double[] running = new double[chunks];
        int found = 0;
        while (m.find()) {
            running[Integer.parseInt(m.group(1)) - 1] = Double.parseDouble(m.group(2));
            found++;
        }
        assertThat(found).isEqualTo(chunks);
        Matcher fin = Pattern.compile("PPL = ([0-9.]+) \\+/- ([0-9.]+)").matcher(expected);
        assertThat(fin.find()).isTrue();
        double ppl = Double.parseDouble(fin.group(1)), err = Double.parseDouble(fin.group(2));

        Path file = model.equals("shipped") ? shippedModel() : Fixtures.model(model);
        try (Model mdl = Model.load(file); ThreadPool pool = new ThreadPool(2); Session s = new Session(mdl, ctx, pool)) {
            Tokenizer tok = Tokenizer.fromMetadata(mdl.file().metadata());
            int[] tokens = tok.encode(validationText(), true, false);
            Perplexity.Result r = Perplexity.chunked(s, tokens, chunks, tok.addBos() ? tok.bos() : -1, null);
            assertThat(r.scored()).isEqualTo(chunks * (ctx - ctx / 2 - 1));
            // Compared as mean nll (ln ppl): both programs sum the same float logits' log-softmax in double.
            for (int i = 0; i < chunks; i++) {
                assertThat(Math.log(r.runningPpl()[i])).as("chunk %d", i + 1).isCloseTo(Math.log(running[i]), within(2e-5 * Math.log(running[i]) + 1e-4));
            }
            assertThat(r.meanNll()).isCloseTo(Math.log(ppl), within(2e-5 * Math.log(ppl) + 1e-4));
            assertThat(r.uncertainty() / r.perplexity()).isCloseTo(err / ppl, within(1e-3 * err / ppl));
        }
    }

    /** Token by token through a full cache scores what one batched pass over the same tokens scores. */
    @Test
    void streamingEqualsTheBatchedLogits() throws IOException {
        try (Model mdl = Model.load(shippedModel()); ThreadPool pool = new ThreadPool(2);
             Session s = new Session(mdl, 128, pool); Session batched = new Session(mdl, 128, pool)) {
            Tokenizer tok = Tokenizer.fromMetadata(mdl.file().metadata());
            int[] tokens = Arrays.copyOf(tok.encode(validationText(), true, false), 100);
            Perplexity.Result r = Perplexity.streaming(s, tokens, null);
            float[] logits = batched.prefillAll(tokens);
            int V = mdl.config().vocabSize();
            double nll = 0;
            for (int t = 0; t + 1 < tokens.length; t++) nll -= Perplexity.logSoftmax(logits, t * V, V, tokens[t + 1]);
            assertThat(r.scored()).isEqualTo(99);
            assertThat(r.meanNll()).isCloseTo(nll / 99, within(1e-4));
            assertThat(s.evicted()).isZero();
            // Past the context without a policy: the clear error, not a wrong number.
            assertThatThrownBy(() -> Perplexity.streaming(s, Arrays.copyOf(tok.encode(validationText(), true, false), 200), null))
                    .isInstanceOf(LoupeException.class).hasMessageContaining("context is full");
        }
    }

    @Test
    void tooShortATextIsAClearError() {
        try (Model mdl = Model.load(shippedModel()); ThreadPool pool = new ThreadPool(1); Session s = new Session(mdl, 128, pool)) {
            assertThatThrownBy(() -> Perplexity.chunked(s, new int[200], -1, 1, null)).isInstanceOf(LoupeException.class)
                    .hasMessageContaining("needs at least 256");
        }
    }
}
