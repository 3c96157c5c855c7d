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
        if (spec.metrics() == null) {
            if (spec.execute() != null) metrics.add(Metric.PASS_AT_1);
            else metrics.addAll(Metric.defaults(spec.request()));
        } else for (String id : spec.metrics()) {
            Metric m;
            try {
                m = Metric.byId(id);
            } catch (LoupeException e) {
                throw new LoupeException(where(source, "metrics") + ": " + e.getMessage());
            }
            require(m.requestType() == spec.request(), where(source, "metrics"), "metric '" + id + "' does not apply to request type " + spec.request().wireName());
            metrics.add(m);
        }
        if (metrics.contains(Metric.EXACT_MATCH)) require(spec.target() != null, source, "exact_match needs a 'target' template");
        if (spec.ignore() != null) for (String r : spec.ignore()) {
            try {
                Pattern.compile(r);
            } catch (PatternSyntaxException e) {
                throw new LoupeException(where(source, "ignore") + ": bad ignore regex '" + r + "': " + e.getDescription());
            }
        }
        if (spec.fewshot() != null && spec.fewshot().k() != null) {
            require(spec.fewshot().k() >= 0, where(source, "fewshot"), "fewshot k must be >= 0");
        }
        checkGeneration(spec, source, metrics);

        List<Doc> docs;
        if (dataOverride != null) docs = DataFile.read(dataOverride);
        else if (spec.data() != null) docs = resolve.apply(spec.data());
        else if (spec.generator() != null) docs = Generators.generate(spec.generator(), source);
        else throw new LoupeException("task " + spec.name() + " needs a data file: pass --data FILE"
                    + (spec.dataHelp() != null ? " (" + spec.dataHelp() + ")" : ""));
        docs = DocProcessors.apply(spec.processDocs(), docs, where(source, "process_docs"));
        boolean fromSelf = spec.fewshot() == null || spec.fewshot().data() == null;
        List<Doc> pool = fromSelf ? docs : DocProcessors.apply(spec.processDocs(), resolve.apply(spec.fewshot().data()), source);
        return new Task(spec, docs, pool, fromSelf, metrics, source);
    }

    /** Sampling, follow-up turns and execution: the settings pass@k and MT-Bench's second turn depend on. */
    private static void checkGeneration(TaskSpec spec, String source, List<Metric> metrics) {
        boolean generates = spec.request() == RequestType.GENERATE_UNTIL;
        TaskSpec.GenerationSpec g = spec.generation();
        int n = g == null || g.n() == null ? 1 : g.n();
        if (g != null) {
            String at = where(source, "generation");
            require(n >= 1, at, "generation n must be >= 1");
            require(g.temperature() == null || g.temperature() >= 0, at, "generation temperature must be >= 0");
            require(g.topP() == null || g.topP() > 0 && g.topP() <= 1, at, "generation top_p must be in (0, 1]");
            require(n == 1 || g.temperature() != null && g.temperature() > 0, at,
                    "generation n=" + n + " needs a temperature above 0 (greedy samples would all be the same)");
        }
        if (spec.followUps() != null) {
            String at = where(source, "follow_ups");
            require(generates, at, "follow_ups need request generate_until");
            require(metrics.isEmpty(), at, "a task with follow_ups is generated for judging (loupe eval judge); set metrics: []");
            require(n == 1, at, "a task with follow_ups generates one answer per turn; drop generation n");
        }
        boolean passAtK = metrics.stream().anyMatch(m -> m.passK() > 0);
        if (spec.execute() == null) {
            require(!passAtK, where(source, "metrics"), "pass@k needs an 'execute' section (language, program) to run the samples");
            return;
        }
        String at = where(source, "execute");
        require(generates, at, "execute needs request generate_until");
        require("python".equals(spec.execute().language()) || "java".equals(spec.execute().language()), at,
                "execute language must be python or java, got '" + spec.execute().language() + "'");
        require(spec.execute().program() != null && spec.execute().program().contains("{{completion}}"), at,
                "execute needs a 'program' template containing {{completion}}");
        require(spec.execute().timeoutSeconds() == null || spec.execute().timeoutSeconds() > 0, at, "execute timeout_seconds must be > 0");
        for (Metric m : metrics) {
            require(m.passK() > 0, where(source, "metrics"), "a task with 'execute' reports pass@k only, not " + m.id());
            require(m.passK() <= n, where(source, "metrics"), m.id() + " needs at least " + m.passK() + " samples per problem; generation n is " + n);
        }
    }

    /** "file line N" where the top-level {@code key} is written, for errors about a value that is present but bad. */
    static String where(String source, String key) {
        if (source.startsWith("builtin:")) return source;
        try {
            Path p = Path.of(source);
            if (!Files.isRegularFile(p)) return source;
            int line = lineOfKey(Files.readString(p), key);
            return line > 0 ? source + " line " + line : source;
        } catch (IOException | RuntimeException e) {
            return source;
        }
    }

    private static void require(boolean ok, String source, String message) {
        if (!ok) throw new LoupeException(source + ": " + message);
    }
}
