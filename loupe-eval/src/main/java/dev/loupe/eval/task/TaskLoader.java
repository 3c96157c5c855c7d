package dev.loupe.eval.task;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loupe.core.LoupeException;
import dev.loupe.eval.metric.Metric;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Parses and checks task files; every problem is a {@link LoupeException} naming the file (and line when known). */
public final class TaskLoader {
    private static final ObjectMapper YAML = configure(new ObjectMapper(new YAMLFactory()));
    private static final ObjectMapper JSON = configure(new ObjectMapper());

    private TaskLoader() {}

    private static ObjectMapper configure(ObjectMapper m) {
        return m.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    /** A task file on disk; relative data paths resolve against the file's folder. */
    public static Task load(Path file, Path dataOverride) {
        if (!Files.isRegularFile(file)) throw new LoupeException("no such task file: " + file);
        TaskSpec spec;
        try (InputStream in = Files.newInputStream(file)) {
            spec = parse(in, file.toString());
        } catch (IOException e) {
            throw new LoupeException("cannot read task file " + file + ": " + e.getMessage(), e);
        }
        Path dir = file.toAbsolutePath().getParent();
        return build(spec, file.toString(), dataOverride, rel -> DataFile.read(dir.resolve(rel)));
    }

    public static TaskSpec parse(InputStream in, String source) throws IOException {
        ObjectMapper mapper = source.endsWith(".json") ? JSON : YAML;
        String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            TaskSpec spec = mapper.readValue(text, TaskSpec.class);
            if (spec == null) throw new LoupeException(source + ": empty task file");
            return spec;
        } catch (UnrecognizedPropertyException e) {
            // The YAML parser's location is past the offending entry; the key's own line is what a user wants.
            int line = lineOfKey(text, e.getPropertyName());
            throw new LoupeException(source + (line > 0 ? " line " + line : at(e.getLocation())) + ": unknown key '" + e.getPropertyName()
                    + "' (known: " + String.join(", ", e.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList()) + ")");
        } catch (JsonProcessingException e) {
            throw new LoupeException(source + at(e.getLocation()) + ": " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
    }

    private static int lineOfKey(String text, String key) {
        Pattern p = Pattern.compile("^[\\s{,-]*\"?" + Pattern.quote(key) + "\"?\\s*:");
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) if (p.matcher(lines.get(i)).find()) return i + 1;
        return -1;
    }

    private static String at(JsonLocation loc) {
        return loc == null || loc.getLineNr() < 1 ? "" : " line " + loc.getLineNr();
    }

    /** Checks the spec and loads its rows through {@code resolve} (files, or resources for built-in tasks). */
    static Task build(TaskSpec spec, String source, Path dataOverride, Function<String, List<Doc>> resolve) {
        require(spec.name() != null && !spec.name().isBlank(), source, "missing 'name'");
        require(spec.request() != null, source, "missing 'request' (loglikelihood, loglikelihood_rolling or generate_until)");
        require(spec.prompt() != null, source, "missing 'prompt' template");
        switch (spec.request()) {
            case LOGLIKELIHOOD -> {
                require(spec.choices() != null, source, "a loglikelihood task needs 'choices' (the field holding the choice list)");
                require(spec.target() != null, source, "a loglikelihood task needs 'target' (the gold choice: index, label or text)");
            }
            case GENERATE_UNTIL, LOGLIKELIHOOD_ROLLING -> {}
        }
        List<Metric> metrics = new ArrayList<>();
        if (spec.metrics() == null) metrics.addAll(Metric.defaults(spec.request()));
        else for (String id : spec.metrics()) {
            Metric m;
            try {
                m = Metric.byId(id);
            } catch (LoupeException e) {
                throw new LoupeException(source + ": " + e.getMessage());
            }
            require(m.requestType() == spec.request(), source, "metric '" + id + "' does not apply to request type " + spec.request().wireName());
            metrics.add(m);
        }
        if (metrics.contains(Metric.EXACT_MATCH)) require(spec.target() != null, source, "exact_match needs a 'target' template");
        if (spec.ignore() != null) for (String r : spec.ignore()) {
            try {
                Pattern.compile(r);
            } catch (PatternSyntaxException e) {
                throw new LoupeException(source + ": bad ignore regex '" + r + "': " + e.getDescription());
            }
        }
        if (spec.fewshot() != null && spec.fewshot().k() != null) {
            require(spec.fewshot().k() >= 0, source, "fewshot k must be >= 0");
        }

        List<Doc> docs;
        if (dataOverride != null) docs = DataFile.read(dataOverride);
        else if (spec.data() != null) docs = resolve.apply(spec.data());
        else if (spec.generator() != null) docs = Generators.generate(spec.generator(), source);
        else throw new LoupeException("task " + spec.name() + " needs a data file: pass --data FILE"
                    + (spec.dataHelp() != null ? " (" + spec.dataHelp() + ")" : ""));
        boolean fromSelf = spec.fewshot() == null || spec.fewshot().data() == null;
        List<Doc> pool = fromSelf ? docs : resolve.apply(spec.fewshot().data());
        return new Task(spec, docs, pool, fromSelf, metrics, source);
    }

    private static void require(boolean ok, String source, String message) {
        if (!ok) throw new LoupeException(source + ": " + message);
    }
}
