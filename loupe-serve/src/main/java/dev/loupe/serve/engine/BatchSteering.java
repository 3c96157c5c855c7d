package dev.loupe.serve.engine;

import dev.loupe.core.hook.HookPoint;
import dev.loupe.core.hook.Hooks;
import dev.loupe.core.hook.Steering;

import java.util.ArrayList;
import java.util.List;

/**
 * Steering inside a mixed batch: a batch row belongs to one sequence, and only the rows of steered sequences get
 * their vectors added, so steered and unsteered requests share one forward pass (each weight row still read once per
 * step) and an unsteered neighbour computes exactly what it would alone. A batch with no steered row installs no
 * hooks at all.
 */
final class BatchSteering {
    private final int layers;

    BatchSteering(int layers) {
        this.layers = layers;
    }

    /**
     * Hooks for a batch whose row r is steered by {@code rows[r]} (null: not steered), or null when no row is. The
     * array is read when the hooks run, so it must hold until the step is done.
     */
    Hooks hooks(Steering[] rows, int n) {
        List<HookPoint> points = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            if (rows[r] == null) continue;
            for (HookPoint p : rows[r].points()) if (!points.contains(p)) points.add(p);
        }
        if (points.isEmpty()) return null;
        Hooks hooks = new Hooks(layers);
        for (HookPoint p : points) {
            hooks.add(p, (point, t) -> {
                for (int r = 0; r < t.rows(); r++) if (rows[r] != null) rows[r].addTo(point, t.data(), t.offset(r));
            });
        }
        return hooks;
    }
}
