package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.lens.cache.ActivationCache;
import dev.loupe.lens.cache.CachedActivation;
import dev.loupe.lens.io.CacheExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

@Command(name = "cache", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a prompt and save the activations at the hook points you name, for numpy or PyTorch.",
                "A directory gets one NAME.npy per activation (numpy.load); a .safetensors file gets them all.", ""},
        footer = {"", "Examples:",
                "  loupe lens cache \"The cat sat\" -o acts/                                every hook point, .npy files",
                "  loupe lens cache \"The cat sat\" --names 'resid_post' -o resid.safetensors  the residual stream only",
                "", "In Python: numpy.load('acts/blocks.0.hook_resid_post.npy')  # shape (positions, d_model)"})
final class LensCacheCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LensPrompt prompt;

    @Option(names = "--names", paramLabel = "REGEX", description = "Cache the hook points whose name contains a match (default: all).")
    String names = ".*";

    @Option(names = {"-o", "--out"}, paramLabel = "PATH", required = true, description = "A directory for .npy files, or a FILE.safetensors.")
    Path out;

    @Override
    public Integer call() {
        Pattern p;
        try {
            p = Pattern.compile(names);
        } catch (PatternSyntaxException e) {
            throw new LoupeException("--names is not a valid regular expression: " + e.getDescription());
        }
        PrintWriter o = spec.commandLine().getOut();
        try (LoadedModel lm = prompt.open()) {
            int[] ids = prompt.ids(lm);
            ActivationCache cache = LensSupport.hooked(lm).runWithCache(ids, n -> p.matcher(n).find()).cache();
            if (cache.names().isEmpty()) throw new LoupeException("no hook point matches --names '" + names + "' (see 'loupe lens hooks')");
            if (out.getFileName().toString().endsWith(".safetensors")) {
                CacheExport.toSafetensors(cache, out, Map.of("model", prompt.modelName(), "tokens", Arrays.toString(ids)));
            } else {
                CacheExport.toNpyDirectory(cache, out);
            }
            for (Map.Entry<String, CachedActivation> e : cache.entries().entrySet()) {
                o.println(e.getKey() + " " + Arrays.toString(e.getValue().shape()));
            }
            spec.commandLine().getErr().println("wrote " + cache.names().size() + " activations of " + ids.length + " tokens to " + out);
        }
        return 0;
    }
}
