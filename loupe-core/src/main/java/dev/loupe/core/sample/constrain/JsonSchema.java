package dev.loupe.core.sample.constrain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The subset of JSON Schema that constrained decoding understands, as data. The HTTP layer compiles a request's
 * schema into these (and refuses what it cannot express); {@link JsonGrammar} turns them into a byte automaton.
 */
public sealed interface JsonSchema {

    /** Any JSON value ({@code {}} or {@code true} as a schema). */
    record AnyValue() implements JsonSchema {}

    /**
     * An object. With properties, only those are generated (so additionalProperties true or false both validate) and
     * every required one before the object closes; without properties, any keys with any values.
     */
    record ObjectSchema(Map<String, JsonSchema> properties, Set<String> required) implements JsonSchema {
        /** An object's properties are tracked in a 64-bit set. */
        public static final int MAX_PROPERTIES = 64;

        public ObjectSchema {
            properties = new LinkedHashMap<>(properties);
            required = Set.copyOf(required);
            if (properties.size() > MAX_PROPERTIES) {
                throw new IllegalArgumentException("an object schema may have at most " + MAX_PROPERTIES + " properties");
            }
            for (String r : required) {
                if (!properties.isEmpty() && !properties.containsKey(r)) {
                    throw new IllegalArgumentException("required property '" + r + "' is not among the properties");
                }
            }
        }

        public static ObjectSchema anyObject() {
            return new ObjectSchema(Map.of(), Set.of());
        }

        List<String> names() {
            return new ArrayList<>(properties.keySet());
        }
    }

    record ArraySchema(JsonSchema items) implements JsonSchema {}

    record StringSchema() implements JsonSchema {}

    record NumberSchema() implements JsonSchema {}

    record IntegerSchema() implements JsonSchema {}

    record BooleanSchema() implements JsonSchema {}

    record NullSchema() implements JsonSchema {}

    /** One of the given values, each as compact JSON text (e.g. {@code "\"red\""}, {@code "3"}, {@code "null"}). */
    record EnumSchema(List<String> jsonValues) implements JsonSchema {
        public EnumSchema {
            jsonValues = List.copyOf(jsonValues);
            if (jsonValues.isEmpty()) throw new IllegalArgumentException("enum needs at least one value");
        }
    }

    /** A value valid against at least one of the alternatives. */
    record AnyOf(List<JsonSchema> alternatives) implements JsonSchema {
        public AnyOf {
            alternatives = List.copyOf(alternatives);
            if (alternatives.isEmpty()) throw new IllegalArgumentException("anyOf needs at least one alternative");
        }
    }
}
