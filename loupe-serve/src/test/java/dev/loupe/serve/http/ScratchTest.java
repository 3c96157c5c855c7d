package dev.loupe.serve.http;

import dev.loupe.core.sample.constrain.*;
import org.junit.jupiter.api.Test;
import java.util.*;

class ScratchTest {
    @Test
    void scratch() {
        JsonSchema add = new JsonSchema.ObjectSchema(Map.of("a", new JsonSchema.NumberSchema(), "b", new JsonSchema.NumberSchema()), Set.of("a", "b"));
        List<Tools.Tool> tools = List.of(new Tools.Tool("add", "", null, add));
        ReplyGrammar g = ReplyGrammar.compile(ToolFormat.GENERIC.reply(tools, true, true, false));
        GrammarState s = g.start();
        String text = "{\"tool_calls\": [{\"name\": \"add\", \"arguments\":       {\r\"a\"               :-270";
        for (char c : text.toCharArray()) {
            s = s.feed(c);
            System.out.println("'" + c + "' cost=" + (s == null ? "null" : s.cost()) + " " + s);
            if (s == null) break;
        }
    }
}
