package dev.loupe.lens.steer;

import dev.loupe.core.LoupeException;
import dev.loupe.core.hook.HookPoint;
import dev.loupe.lens.cache.CachedActivation;
import dev.loupe.lens.io.SafetensorsReader;
import dev.loupe.lens.io.SafetensorsWriter;
import dev.loupe.lens.sae.SaeFile;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A steering vector as safetensors: one F32 tensor {@value #TENSOR} of shape [d_model], with {@code hook_name},
 * {@code layer}, {@code model}, {@code d_model} and the provenance in the metadata, so numpy/PyTorch can open it and
 * a vector applied to a model of another width is refused with a clear message. Also reads an SAE feature's
 * decoder direction as a vector at the SAE's hook point.
 */
public final class SteeringFile {
    public static final String TENSOR = "steering_vector";

    private SteeringFile() {}

    public static void save(Path file, SteeringVector v) {
        Map<String, String> md = new LinkedHashMap<>(v.provenance());
        md.put("hook_name", v.point().name());
        md.put("layer", Integer.toString(v.point().layer()));
        md.put("model", v.model());
        md.put("d_model", Integer.toString(v.dModel()));
        SafetensorsWriter.write(file, Map.of(TENSOR, new CachedActivation(new int[] {v.dModel()}, v.vector())), md);
    }

    public static SteeringVector load(Path file) {
        SafetensorsReader r = SafetensorsReader.open(file);
        if (!r.has(TENSOR)) {
            if (r.has("W_dec")) throw new LoupeException(file + " is an SAE: say which feature's direction to use, as " + file + "#FEATURE");
            throw new LoupeException(file + " has no tensor " + TENSOR + " (not a steering vector made by 'loupe lens steer make'?)");
        }
        int[] shape = r.shape(TENSOR);
        if (shape.length != 1) throw new LoupeException(file + ": " + TENSOR + " must be one-dimensional, has " + shape.length + " dimensions");
        Map<String, String> md = new LinkedHashMap<>(r.metadata());
        String hook = md.remove("hook_name");
        if (hook == null) throw new LoupeException(file + " does not say which hook point it steers (metadata hook_name)");
        String model = md.remove("model");
        md.remove("layer");
        md.remove("d_model");
        return new SteeringVector(HookPoint.parse(hook), r.floats(TENSOR), model == null ? "an unnamed model" : model, md);
    }

    /** Feature {@code feature}'s decoder direction (unit length in a Loupe SAE) at the SAE's hook point. */
    public static SteeringVector fromSae(Path file, int feature) {
        SaeFile.Loaded l = SaeFile.load(file);
        int m = l.sae().features();
        if (feature < 0 || feature >= m) throw new LoupeException("feature " + feature + " is outside the SAE's " + m + " features (" + file + ")");
        if (l.hook().isEmpty()) throw new LoupeException(file + " does not say which hook point it reads (metadata hook_name)");
        Map<String, String> md = new LinkedHashMap<>();
        md.put("source", "SAE feature " + feature + " of " + file.getFileName());
        return new SteeringVector(HookPoint.parse(l.hook()), l.sae().direction(feature),
                l.metadata().getOrDefault("model", "an unnamed model"), md);
    }
}
