package dev.loupe.cli;

import dev.loupe.core.hook.Hooks;
import dev.loupe.core.hook.Steering;
import dev.loupe.core.model.Session;
import dev.loupe.lens.steer.SteerSpec;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** {@code --steer FILE[:COEF]} for the commands that generate ({@code run}, {@code chat}). */
final class SteerOptions {
    @Option(names = "--steer", paramLabel = "FILE[:COEF]",
            description = {"Add a steering vector (from 'loupe lens steer make') times COEF (default 1) to the residual stream at "
                    + "every position; SAE#F[:COEF] uses feature F's decoder direction of an SAE. Repeatable."})
    List<String> steer = new ArrayList<>();

    /** Installs the steering on the session's engine; nothing when no --steer was given. */
    void apply(LoadedModel lm, Session session, String modelName) {
        if (steer.isEmpty()) return;
        Steering s = SteerSpec.steering(steer, lm.model().config(), modelName);
        session.forwardEngine().setHooks(s.install(new Hooks(lm.model().config().layers())));
    }
}
