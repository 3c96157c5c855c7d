package dev.loupe.lens.steer;

import dev.loupe.core.LoupeException;
import dev.loupe.core.hook.HookPoint;
import dev.loupe.core.hook.Steering;
import dev.loupe.core.model.ModelConfig;

import java.util.Map;

/**
 * A direction in the residual stream at one hook point, with where it came from: {@code model} and {@code dModel}
 * of the model it was made on, and free-form provenance ({@code source}: "contrastive mean", "SAE feature 12", ...).
 * Applied with a coefficient it becomes a {@link Steering.Term}.
 */
public record SteeringVector(HookPoint point, float[] vector, String model, Map<String, String> provenance) {

    public SteeringVector {
        if (!Steering.steerable(point.site())) {
            throw new LoupeException("a steering vector at " + point.name() + " is not on the residual stream");
        }
        provenance = Map.copyOf(provenance);
    }

    public int dModel() {
        return vector.length;
    }

    /** {@code coef · vector} at this vector's hook point. */
    public Steering.Term term(float coef) {
        return Steering.term(point, vector, coef);
    }

    /** A user error unless this vector fits {@code c}: same d_model, and its layer exists. */
    public SteeringVector checkFits(ModelConfig c, String modelName) {
        if (vector.length != c.dim()) {
            throw new LoupeException("the steering vector was made on " + model + " with d_model " + vector.length + "; "
                    + modelName + " has d_model " + c.dim());
        }
        if (point.site().perLayer() && point.layer() >= c.layers()) {
            throw new LoupeException("the steering vector is for " + point.name() + " but " + modelName + " has "
                    + c.layers() + " layers");
        }
        return this;
    }

    public double norm() {
        double s = 0;
        for (float v : vector) s += (double) v * v;
        return Math.sqrt(s);
    }
}
