package dev.loupe.train.io;

import dev.loupe.core.LoupeException;
import dev.loupe.core.gguf.AtomicFile;
import dev.loupe.train.Trainer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The loss curve as CSV (one row per step; validation columns empty between evaluations), flushed every row so
 * an interrupted run keeps its history; a resumed run appends. {@link #writeSvg} draws train and validation loss.
 */
public final class LossLog implements AutoCloseable {
    private static final String HEADER = "step,train_loss,val_loss,val_nats_per_char,lr,grad_norm,seconds";
    private final Path file;
    private final BufferedWriter out;

    public LossLog(Path file, boolean append) {
        this.file = file;
        try {
            boolean fresh = !append || !Files.exists(file);
            out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    fresh ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            if (fresh) out.write(HEADER + "\n");
        } catch (IOException e) {
            throw new LoupeException("cannot write " + file + ": " + AtomicFile.reason(e));
        }
    }

    public void append(Trainer.StepResult r, double val, double valNatsPerChar, double seconds) {
        try {
            out.write(String.format(Locale.ROOT, "%d,%.5f,%s,%s,%.3e,%.4f,%.1f%n", r.step(), r.loss(), num(val), num(valNatsPerChar), r.lr(), r.gradNorm(), seconds));
            out.flush();
        } catch (IOException e) {
            throw new LoupeException("cannot write " + file + ": " + AtomicFile.reason(e));
        }
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.5f", v);
    }

    @Override
    public void close() {
        try {
            out.close();
        } catch (IOException e) {
            throw new LoupeException("cannot write " + file + ": " + AtomicFile.reason(e));
        }
    }

    /** A small SVG plot of train (grey) and validation (blue) loss against step, read back from the CSV. */
    public void writeSvg(Path svg) {
        List<double[]> train = new ArrayList<>(), val = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith("step")) continue;
                String[] f = line.split(",", -1);
                double step = Double.parseDouble(f[0]);
                train.add(new double[]{step, Double.parseDouble(f[1])});
                if (!f[2].isEmpty()) val.add(new double[]{step, Double.parseDouble(f[2])});
            }
            if (train.isEmpty()) return;
            double maxX = train.getLast()[0], maxY = 0, minY = Double.MAX_VALUE;
            for (double[] p : train) {
                maxY = Math.max(maxY, p[1]);
                minY = Math.min(minY, p[1]);
            }
            int w = 640, h = 360, m = 40;
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">%n", w, h));
            sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/><text x=\"%d\" y=\"15\">loss (nats/token) vs step; grey train, blue validation; %.2f to %.2f</text>%n", w, h, m, minY, maxY));
            for (var series : List.of(train, val)) {
                sb.append("<polyline fill=\"none\" stroke=\"").append(series == train ? "#999" : "#1565c0").append("\" stroke-width=\"1.5\" points=\"");
                for (double[] p : series) {
                    double x = m + (w - 2 * m) * p[0] / Math.max(1, maxX);
                    double y = h - m - (h - 2 * m) * (p[1] - minY) / Math.max(1e-9, maxY - minY);
                    sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                }
                sb.append("\"/>\n");
            }
            sb.append("</svg>\n");
            Files.writeString(svg, sb.toString());
        } catch (IOException | RuntimeException e) {
            throw new LoupeException("cannot plot " + file + ": " + e.getMessage());
        }
    }
}
