package dev.loupe.core.sample.constrain;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.loupe.core.generate.GenerationResult;
import dev.loupe.core.generate.Generator;
import dev.loupe.core.model.Model;
import dev.loupe.core.model.Session;
import dev.loupe.core.parallel.ThreadPool;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.sample.constrain.JsonSchema.*;
import dev.loupe.core.tokenizer.Tokenizer;
import net.jqwik.api.*;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.nio.file.Path;
import java.util.*;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random-weight models sampled at temperature 1 under random schemas: whatever they produce, within whatever token
 * limit, parses as JSON and validates against the schema. The check is independent of the automaton: Jackson parses
 * (strictly: duplicate keys and trailing text fail), and {@link #validate} walks the tree against the schema.
 */
class ConstrainedGenerationPropertyTest {
    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** One SentencePiece (byte-fallback) and one byte-level BPE vocabulary. */
    private static final String[] MODELS = {"tiny-llama-f32.gguf", "tiny-qwen2-f16.gguf"};
    private static Model[] models;
    private static Tokenizer[] tokenizers;
    private static ConstraintVocab[] vocabs;
    private static ThreadPool pool;

    @BeforeContainer
    static void load() {
        pool = new ThreadPool(1);
        models = new Model[MODELS.length];
        tokenizers = new Tokenizer[MODELS.length];
        vocabs = new ConstraintVocab[MODELS.length];
        for (int i = 0; i < MODELS.length; i++) {
            models[i] = Model.load(Path.of(System.getProperty("loupe.shared"), "fixtures/models", MODELS[i]));
            tokenizers[i] = Tokenizer.fromMetadata(models[i].file().metadata());
            vocabs[i] = new ConstraintVocab(tokenizers[i]);
        }
    }

    @AfterContainer
    static void close() {
        for (Model m : models) m.close();
        pool.close();
    }

    @Property(tries = 40)
    void everyOutputParsesAndValidates(@ForAll("schemas") JsonSchema schema, @ForAll long seed,
                                       @ForAll("limits") int maxTokens, @ForAll("modelIndex") int m) throws Exception {
        // A limit below the shortest valid value cannot be met by any decoder.
        Assume.that(maxTokens >= JsonState.start(schema).cost());
        Tokenizer tok = tokenizers[m];
        try (Session session = new Session(models[m], 256, pool)) {
            TokenConstraint c = new TokenConstraint(vocabs[m], schema);
            SamplingParams params = SamplingParams.defaults().withTemperature(1f).withTopK(0).withTopP(1f).withMinP(0f)
                    .withSeed(seed).withMaxTokens(maxTokens);
            GenerationResult r = new Generator(session, tok).generate(tok.encode("JSON:", true, false), new int[0], params, null, c);
            JsonNode node = STRICT.readTree(r.text());
            assertThat(node).as("output %s", r.text()).isNotNull();
            assertThat(validate(node, schema)).as("'%s' against %s", r.text(), schema).isTrue();
            assertThat(c.complete()).isTrue();
        }
    }

    @Provide
    Arbitrary<Integer> limits() {
        return Arbitraries.integers().between(10, 80);
    }

    @Provide
    Arbitrary<Integer> modelIndex() {
        return Arbitraries.integers().between(0, MODELS.length - 1);
    }

    @Provide
    Arbitrary<JsonSchema> schemas() {
        return schema(2);
    }

    private static Arbitrary<JsonSchema> schema(int depth) {
        Arbitrary<JsonSchema> leaves = Arbitraries.of(new StringSchema(), new NumberSchema(), new IntegerSchema(),
                new BooleanSchema(), new NullSchema(), new AnyValue(),
                new EnumSchema(List.of("\"red\"", "\"re\"", "3", "30", "null", "\"\u00e9\\\"\"")));
        if (depth == 0) return leaves;
        Arbitrary<JsonSchema> objects = Combinators.combine(
                Arbitraries.strings().withChars("abc\"\\\u00e9 ").ofMinLength(1).ofMaxLength(4).list().uniqueElements().ofMinSize(0).ofMaxSize(4),
                schema(depth - 1).list().ofSize(4),
                Arbitraries.integers().between(0, 15)).as((names, values, req) -> {
                    Map<String, JsonSchema> props = new LinkedHashMap<>();
                    Set<String> required = new HashSet<>();
                    for (int i = 0; i < names.size(); i++) {
                        props.put(names.get(i), values.get(i));
                        if ((req & 1 << i) != 0) required.add(names.get(i));
                    }
                    return new ObjectSchema(props, required);
                });
        Arbitrary<JsonSchema> arrays = schema(depth - 1).map(ArraySchema::new);
        Arbitrary<JsonSchema> unions = schema(depth - 1).list().ofMinSize(2).ofMaxSize(3).map(AnyOf::new);
        return Arbitraries.frequencyOf(Tuple.of(2, leaves), Tuple.of(4, objects), Tuple.of(2, arrays), Tuple.of(1, unions));
    }

    /** A small JSON-Schema validator for the subset, written against the tree, not the automaton. */
    static boolean validate(JsonNode n, JsonSchema s) {
        return switch (s) {
            case AnyValue a -> true;
            case StringSchema x -> n.isTextual();
            case NumberSchema x -> n.isNumber();
            case IntegerSchema x -> n.isIntegralNumber();
            case BooleanSchema x -> n.isBoolean();
            case NullSchema x -> n.isNull();
            case EnumSchema e -> e.jsonValues().stream().anyMatch(v -> {
                try {
                    return STRICT.readTree(v).equals(n);
                } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            });
            case ArraySchema a -> {
                if (!n.isArray()) yield false;
                for (JsonNode item : n) if (!validate(item, a.items())) yield false;
                yield true;
            }
            case AnyOf u -> u.alternatives().stream().anyMatch(alt -> validate(n, alt));
            case ObjectSchema o -> {
                if (!n.isObject()) yield false;
                for (String r : o.required()) if (!n.has(r)) yield false;
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    if (o.properties().isEmpty()) continue;
                    JsonSchema p = o.properties().get(f.getKey());
                    if (p == null || !validate(f.getValue(), p)) yield false;
                }
                yield true;
            }
        };
    }
}
