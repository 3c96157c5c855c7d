package dev.loupe.lens.logit;

import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.lens.TokenText;
import dev.loupe.lens.html.Heatmap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The logit lens as a text table (top-1 token per layer and position) and as a heatmap page. */
public final class LogitLensReport {
    private LogitLensReport() {}

    public static String table(LogitLens.Result r, Tokenizer tok) {
        List<String> header = new ArrayList<>(List.of("layer"));
        header.addAll(Arrays.asList(TokenText.labels(tok, r.tokens())));
        List<List<String>> rows = new ArrayList<>();
        for (LogitLens.Layer l : r.layers()) {
            List<String> row = new ArrayList<>(List.of(l.name()));
            for (int p = 0; p < r.tokens().length; p++) {
                row.add(TokenText.label(tok, l.topIds()[p][0]) + String.format(" %.2f", l.topProbs()[p][0]));
            }
            rows.add(row);
        }
        return TextTable.render(header, rows);
    }

    /** Cells: the top-1 token; colour: its probability. */
    public static Heatmap heatmap(LogitLens.Result r, Tokenizer tok, String modelName) {
        int T = r.tokens().length;
        List<String> rows = new ArrayList<>();
        double[][] values = new double[r.layers().size()][T];
        String[][] texts = new String[r.layers().size()][T];
        for (int i = 0; i < r.layers().size(); i++) {
            LogitLens.Layer l = r.layers().get(i);
            rows.add(l.name());
            for (int p = 0; p < T; p++) {
                values[i][p] = l.topProbs()[p][0];
                texts[i][p] = TokenText.label(tok, l.topIds()[p][0]);
            }
        }
        List<String> cols = new ArrayList<>();
        String[] labels = TokenText.labels(tok, r.tokens());
        for (int p = 0; p < T; p++) cols.add(p + " " + labels[p]);
        return new Heatmap("Logit lens: " + modelName,
                "Each cell: the token the residual stream after that layer predicts next (final norm + unembedding), coloured by its probability. Columns: input positions.",
                "layer", "position", rows, cols, values, texts, false);
    }
}
