package dev.loupe.lens.ablate;

import dev.loupe.core.LoupeException;
import dev.loupe.core.hook.HookPoint;
import dev.loupe.core.hook.HookSite;
import dev.loupe.core.model.ModelConfig;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A part of the model that can be ablated or patched: a slice [from, to) of the activation at one hook point.
 * Written as {@code L1H2} (head 2 of layer 1, its slice of {@code attn.hook_z}), {@code L1N37} (neuron 37,
 * {@code mlp.hook_post}), {@code L1attn} (the whole attention output) or {@code L1mlp} (the whole MLP output).
 */
public sealed interface Component {
    int layer();

    HookPoint point();

    int from(ModelConfig c);

    int to(ModelConfig c);

    String label();

    record Head(int layer, int head) implements Component {
        public HookPoint point() { return HookPoint.of(HookSite.ATTN_Z, layer); }
        public int from(ModelConfig c) { return head * c.valueDim(); }
        public int to(ModelConfig c) { return (head + 1) * c.valueDim(); }
        public String label() { return "L" + layer + "H" + head; }
    }

    record Neuron(int layer, int index) implements Component {
        public HookPoint point() { return HookPoint.of(HookSite.MLP_POST, layer); }
        public int from(ModelConfig c) { return index; }
        public int to(ModelConfig c) { return index + 1; }
        public String label() { return "L" + layer + "N" + index; }
    }

    record AttnLayer(int layer) implements Component {
        public HookPoint point() { return HookPoint.of(HookSite.ATTN_OUT, layer); }
        public int from(ModelConfig c) { return 0; }
        public int to(ModelConfig c) { return c.dim(); }
        public String label() { return "L" + layer + "attn"; }
    }

    record MlpLayer(int layer) implements Component {
        public HookPoint point() { return HookPoint.of(HookSite.MLP_OUT, layer); }
        public int from(ModelConfig c) { return 0; }
        public int to(ModelConfig c) { return c.dim(); }
        public String label() { return "L" + layer + "mlp"; }
    }

    Pattern SYNTAX = Pattern.compile("L(\\d+)(?:H(\\d+)|N(\\d+)|(attn)|(mlp))");

    /** Parses {@code L1H2}, {@code L1N37}, {@code L1attn}, {@code L1mlp} and checks it against the model. */
    static Component parse(String s, ModelConfig c) {
        Matcher m = SYNTAX.matcher(s.trim());
        if (!m.matches()) throw new LoupeException("bad component '" + s + "' (expected L<layer>H<head>, L<layer>N<neuron>, L<layer>attn or L<layer>mlp)");
        int layer = Integer.parseInt(m.group(1));
        if (layer >= c.layers()) throw new LoupeException("component " + s + ": the model has " + c.layers() + " layers");
        if (m.group(2) != null) {
            int h = Integer.parseInt(m.group(2));
            if (h >= c.heads()) throw new LoupeException("component " + s + ": the model has " + c.heads() + " heads");
            return new Head(layer, h);
        }
        if (m.group(3) != null) {
            int n = Integer.parseInt(m.group(3));
            if (n >= c.ffnDim()) throw new LoupeException("component " + s + ": the MLP has " + c.ffnDim() + " neurons");
            return new Neuron(layer, n);
        }
        return m.group(4) != null ? new AttnLayer(layer) : new MlpLayer(layer);
    }
}
