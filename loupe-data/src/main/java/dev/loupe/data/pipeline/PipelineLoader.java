package dev.loupe.data.pipeline;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.InjectableValues;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.loupe.core.LoupeException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a pipeline from YAML or JSON (YAML is a superset). Keys are snake_case. Relative paths in the file are
 * relative to the file's own folder, so a pipeline runs the same from any working directory.
 */
public final class PipelineLoader {
    /** Name under which steps that read files get the pipeline file's folder injected. */
    public static final String BASE_DIR = "loupe.baseDir";

    private PipelineLoader() {}

    public static ObjectMapper mapper(Path baseDir) {
        ObjectMapper m = new ObjectMapper(new YAMLFactory());
        m.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        m.setInjectableValues(new InjectableValues.Std().addValue(BASE_DIR, baseDir.toString()));
        return m;
    }

    public static PipelineSpec load(Path file) {
        if (!Files.isRegularFile(file)) throw new LoupeException(file + ": no such pipeline file");
        Path base = file.toAbsolutePath().getParent();
        try {
            PipelineSpec raw = mapper(base).readValue(file.toFile(), PipelineSpec.class);
            return resolve(raw, base);
        } catch (ValueInstantiationException e) {
            Throwable c = e.getCause();
            if (c instanceof LoupeException le) throw new LoupeException(file + ": " + le.getMessage());
            throw new LoupeException(file + ": " + e.getOriginalMessage());
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof LoupeException le) throw new LoupeException(file + ": " + le.getMessage());
            throw new LoupeException(file + ": " + oneLine(e.getOriginalMessage()) + at(e));
        } catch (IOException e) {
            throw new LoupeException(file + ": " + oneLine(e.getMessage()));
        }
    }

    private static String at(JsonMappingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** Makes input and output paths absolute against {@code base}. */
    public static PipelineSpec resolve(PipelineSpec s, Path base) {
        List<String> paths = s.input().paths().stream().map(p -> base.resolve(p).normalize().toString()).toList();
        InputSpec in = new InputSpec(paths, s.input().format(), s.input().textKey(), s.input().idKey());
        OutputSpec out = new OutputSpec(base.resolve(s.output().dir()).normalize().toString(), s.output().format(), s.output().compression(),
                s.output().examples());
        return new PipelineSpec(in, s.steps(), out);
    }
}
