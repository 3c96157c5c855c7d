package dev.loupe.core.sample.constrain;

import dev.loupe.core.sample.constrain.JsonSchema.*;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The byte automaton on hand-picked texts: what it accepts, refuses, and how many bytes it says are still due. */
class JsonStateTest {
    private static final JsonSchema ANY = new AnyValue();

    /** The state after the whole text, or null if some byte was refused. */
    private static JsonState run(JsonSchema schema, String text) {
        return JsonState.start(schema).feed(text.getBytes(StandardCharsets.UTF_8));
    }

    private static void accepts(JsonSchema schema, String text) {
        JsonState s = run(schema, text);
        assertNotNull(s, "refused: " + text);
        assertTrue(s.complete(), "incomplete: " + text);
    }

    private static void refuses(JsonSchema schema, String text) {
        JsonState s = run(schema, text);
        assertTrue(s == null || !s.complete(), "accepted: " + text);
    }

    @Test
    void anyValueAcceptsValidJson() {
        for (String t : List.of("{}", "[]", "0", "-0.5e+10", "1E3", "\"\"", "true", "null", "false",
                "{\"a\": [1, 2, {\"b\": null}], \"c\": \"x\"}", " \n{ } ", "[\"\\u00e9\\n\\\"\\\\\\/\"]",
                "\"h\u00e9llo \u4e16\u754c \uD83D\uDE00\"")) {
            JsonState s = run(ANY, t.stripTrailing());
            assertNotNull(s, t);
            assertTrue(s.complete(), t);
        }
    }

    @Test
    void refusesInvalidJson() {
        for (String t : List.of("{,}", "[1,]", "01", "-", "1.", "1e", ".5", "+1", "\"\\x\"", "\"\\u12G4\"", "tru", "nul",
                "{\"a\" 1}", "{\"a\":}", "[1 2]", "\"a\tb\"", "{} {}", "\"\u0001\"")) {
            refuses(ANY, t);
        }
    }

    @Test
    void stringsCheckUtf8BytesNotJustCharacters() {
        JsonState s = JsonState.start(ANY).feed('"');
        assertNull(s.feed(0x80), "a lone continuation byte");
        assertNull(s.feed(0xC0), "an overlong lead byte");
        assertNull(s.feed(0xED).feed(0xA0), "a UTF-16 surrogate encoded in UTF-8");
        assertNull(s.feed(0xF4).feed(0x90), "beyond U+10FFFF");
        JsonState mid = s.feed(0xE4).feed(0xB8);
        assertNotNull(mid);
        assertEquals(2, mid.cost(), "one continuation byte and the closing quote are due");
        assertNull(mid.feed('"'), "a quote in the middle of a character");
        assertTrue(mid.feed(0x96).feed('"').complete());
    }

    @Test
    void numbersEndOnlyWhereJsonAllows() {
        JsonState n = run(ANY, "-12");
        assertTrue(n.complete());
        assertFalse(n.closed(), "a top-level number may still grow");
        assertNotNull(n.feed('3'));
        JsonState z = run(ANY, "0");
        assertNull(z.feed('1'), "no leading zeros");
        assertNotNull(z.feed('.'));
        refuses(new IntegerSchema(), "1.5");
        refuses(new IntegerSchema(), "2e3");
        accepts(new IntegerSchema(), "-42");
        accepts(new NumberSchema(), "3.25E-2");
        refuses(new NumberSchema(), "\"3\"");
    }

    private static ObjectSchema person() {
        Map<String, JsonSchema> props = new LinkedHashMap<>();
        props.put("name", new StringSchema());
        props.put("age", new IntegerSchema());
        props.put("tags", new ArraySchema(new EnumSchema(List.of("\"a\"", "\"ab\"", "1", "10", "null"))));
        props.put("ok", new BooleanSchema());
        return new ObjectSchema(props, Set.of("name", "age"));
    }

    @Test
    void objectsFollowTheirSchema() {
        ObjectSchema p = person();
        accepts(p, "{\"name\":\"Ann\",\"age\":3}");
        accepts(p, "{ \"age\" : 3 , \"name\" : \"\" , \"ok\" : false }");
        accepts(p, "{\"name\":\"x\",\"age\":0,\"tags\":[\"ab\",10,1,null,\"a\"]}");
        refuses(p, "{\"name\":\"Ann\"}");                         // age is required
        refuses(p, "{\"name\":\"Ann\",\"age\":3,\"name\":\"B\"}"); // no repeated keys
        refuses(p, "{\"nam\":\"Ann\",\"age\":3}");                 // only declared keys
        refuses(p, "{\"name\":\"Ann\",\"age\":3,\"extra\":1}");
        refuses(p, "{\"name\":1,\"age\":3}");
        refuses(p, "{\"name\":\"x\",\"age\":0,\"tags\":[\"abc\"]}");
        refuses(p, "{\"name\":\"x\",\"age\":0,\"tags\":[100]}");
        refuses(p, "{\"name\":\"x\",\"age\":0,\"ok\":null}");
        refuses(p, "[]");
    }

    @Test
    void aFullObjectTakesNoMoreMembers() {
        ObjectSchema one = new ObjectSchema(Map.of("k", new NullSchema()), Set.of());
        JsonState s = run(one, "{\"k\":null");
        assertNull(s.feed(','), "no key is left, so no comma");
        assertTrue(s.feed('}').closed());
        accepts(one, "{}");
    }

    @Test
    void costIsTheShortestCompletion() {
        ObjectSchema p = person();
        // {"name":"","age":0} is 19 bytes.
        assertEquals(19, JsonState.start(p).cost());
        assertEquals(18, run(p, "{").cost());
        assertEquals(17, run(p, "{\"").cost()); // "age":0,"name":""} beats "name":"","age":0}
        assertEquals(8, run(p, "{\"name\":\"Ann\",").cost());  // "age":0} (age is required)
        assertEquals(7, run(p, "{\"name\":\"Ann\",\"").cost()); // age":0}
        assertEquals(1, run(p, "{\"name\":\"Ann\",\"age\":3").cost());
        assertEquals(0, run(p, "{\"name\":\"Ann\",\"age\":3}").cost());
        assertEquals(5, run(ANY, "[{\"a").cost()); // ":0}]
        assertEquals(2, run(ANY, "[1,").cost());   // 0]
        assertEquals(3, run(ANY, "\"\\u00").cost()); // two hex digits and the quote
    }

    @Test
    void anyOfKeepsAlternativesUntilTheBytesDecide() {
        JsonSchema call = new AnyOf(List.of(
                new ObjectSchema(props("name", new EnumSchema(List.of("\"add\"")), "arguments",
                        new ObjectSchema(props("x", new NumberSchema(), "y", new NumberSchema()), Set.of("x", "y"))), Set.of("name", "arguments")),
                new ObjectSchema(props("name", new EnumSchema(List.of("\"echo\"")), "arguments",
                        new ObjectSchema(props("text", new StringSchema()), Set.of("text"))), Set.of("name", "arguments"))));
        accepts(call, "{\"name\":\"add\",\"arguments\":{\"x\":1,\"y\":2}}");
        accepts(call, "{\"arguments\":{\"text\":\"hi\"},\"name\":\"echo\"}");
        refuses(call, "{\"name\":\"add\",\"arguments\":{\"text\":\"hi\"}}");
        refuses(call, "{\"arguments\":{\"x\":1,\"y\":2},\"name\":\"echo\"}");
        assertEquals(3, run(call, "{\"name\":\"echo\",\"arguments\":{\"text\":\"").cost()); // "}}
    }

    private static Map<String, JsonSchema> props(Object... kv) {
        Map<String, JsonSchema> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], (JsonSchema) kv[i + 1]);
        return m;
    }

    @Test
    void keysWithEscapesAreMatchedAsJsonText() {
        ObjectSchema q = new ObjectSchema(props("say \"hi\"", new NullSchema(), "\u00e9", new NullSchema()), Set.of());
        accepts(q, "{\"say \\\"hi\\\"\":null,\"\u00e9\":null}");
        refuses(q, "{\"say \"hi\"\":null}");
    }

    @Test
    void whitespaceBetweenTokensIsBoundedButNotInsideStrings() {
        String blank = " \n\t\r".repeat(5); // 20 bytes
        accepts(ANY, "{" + blank + "\"a\"" + blank + ":" + blank + "[" + blank + "1" + blank + "]" + blank + "}");
        assertNull(run(ANY, "{" + blank + " "), "21 whitespace bytes in a row");
        assertNull(run(ANY, "[1," + blank + "\n"));
        accepts(ANY, "\"" + " ".repeat(100) + "\"");
        JsonState afterBlank = run(ANY, "[" + blank);
        assertNotEquals(run(ANY, "["), afterBlank, "the run length is part of the state");
        assertNotNull(run(ANY, "[" + blank + "1," + blank), "the count restarts after a token");
    }
}
