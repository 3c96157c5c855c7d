package dev.loupe.core.chat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import dev.loupe.core.LoupeException;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * Jinjava set up to behave like the Python Jinja that chat templates are written for: Hugging Face renders them
 * with {@code trim_blocks} and {@code lstrip_blocks}, Python's operator precedence, Python string methods, and the
 * globals {@code raise_exception} and {@code strftime_now}, and Python's {@code tojson}. Any template error becomes a one-line
 * {@link LoupeException}. One shared engine: Jinjava instances are safe to use from several threads.
 */
final class JinjaRenderer {
    private static final Jinjava ENGINE = createEngine();

    private JinjaRenderer() {}

    private static Jinjava createEngine() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStringMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_WRITE);
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withElResolver(resolver)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withKeepNullableLoopValues(true)
                        .build())
                .build();
        Jinjava jinjava = new Jinjava(config);
        var globals = jinjava.getGlobalContext();
        globals.registerFunction(new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class, "raiseException", String.class));
        globals.registerFunction(new ELFunctionDefinition("", "strftime_now", TemplateFunctions.class, "strftimeNow", String.class));
        globals.registerFilter(new PythonToJson());
        return jinjava;
    }

    /** Renders {@code source} with {@code variables}; throws {@link LoupeException} naming the first error. */
    static String render(String source, Map<String, Object> variables) {
        RenderResult result;
        try {
            result = ENGINE.renderForResult(SourceShim.rewrite(source), variables);
        } catch (TemplateFunctions.RaisedByTemplate e) {
            throw new LoupeException("chat template rejected the conversation: " + e.getMessage());
        } catch (RuntimeException e) {
            throw new LoupeException("chat template failed: " + oneLine(String.valueOf(e.getMessage())), e);
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() != TemplateError.ErrorType.FATAL) continue;
            Throwable cause = error.getException();
            while (cause != null && !(cause instanceof TemplateFunctions.RaisedByTemplate)) cause = cause.getCause();
            if (cause != null) throw new LoupeException("chat template rejected the conversation: " + cause.getMessage());
            throw new LoupeException("chat template error at line " + error.getLineno() + ": " + oneLine(error.getMessage()));
        }
        return result.getOutput();
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
