package dev.loupe.lens.steer;

import dev.loupe.core.LoupeException;
import dev.loupe.core.hook.Steering;
import dev.loupe.core.model.ModelConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code --steer} argument: {@code FILE[:COEF]} (a vector saved by {@code lens steer make}) or
 * {@code SAE#FEATURE[:COEF]} (an SAE feature's decoder direction); the coefficient defaults to 1.
 */
public record SteerSpec(Path file, int feature, float coef) {
    /** {@link #feature} when the file is a steering vector, not an SAE. */
    public static final int NO_FEATURE = -1;

    public static SteerSpec parse(String s) {
        String rest = s;
        float coef = 1f;
        int colon = rest.lastIndexOf(':');
        if (colon > 0) {
            String tail = rest.substring(colon + 1);
            try {
                coef = Float.parseFloat(tail);
                rest = rest.substring(0, colon);
            } catch (NumberFormatException e) {
                // not a coefficient: the colon belongs to the path
            }
        }
        if (!Float.isFinite(coef)) throw new LoupeException("steering coefficient in '" + s + "' must be a finite number");
        int feature = NO_FEATURE;
        int hash = rest.lastIndexOf('#');
        if (hash > 0) {
            try {
                feature = Integer.parseInt(rest.substring(hash + 1));
            } catch (NumberFormatException e) {
                throw new LoupeException("'" + s + "': after '#' comes an SAE feature number, as in sae.safetensors#12:4");
            }
            if (feature < 0) throw new LoupeException("'" + s + "': the SAE feature number must be 0 or more");
            rest = rest.substring(0, hash);
        }
        if (rest.isEmpty()) throw new LoupeException("'" + s + "' names no file (FILE[:COEF] or SAE#FEATURE[:COEF])");
        return new SteerSpec(Path.of(rest), feature, coef);
    }

    public SteeringVector load() {
        return feature == NO_FEATURE ? SteeringFile.load(file) : SteeringFile.fromSae(file, feature);
    }

    /** The {@code --steer} arguments as one steering for a model, each vector checked against it. */
    public static Steering steering(List<String> specs, ModelConfig c, String modelName) {
        List<Steering.Term> terms = new ArrayList<>();
        for (String s : specs) {
            SteerSpec spec = parse(s);
            terms.add(spec.load().checkFits(c, modelName).term(spec.coef()));
        }
        return Steering.of(terms);
    }
}
