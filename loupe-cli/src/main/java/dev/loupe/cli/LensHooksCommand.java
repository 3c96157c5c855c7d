package dev.loupe.cli;

import dev.loupe.core.hook.HookPoint;
import dev.loupe.core.model.Model;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

@Command(name = "hooks", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"List the model's hook points, named as TransformerLens names them.", ""},
        footer = {"", "Examples:", "  loupe lens hooks", "  loupe lens hooks -m model.gguf | grep attn"})
final class LensHooksCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Model m = Model.load(modelOptions.resolveModel())) {
            for (HookPoint p : HookPoint.all(m.config().layers())) out.println(p.name());
        }
        return 0;
    }
}
