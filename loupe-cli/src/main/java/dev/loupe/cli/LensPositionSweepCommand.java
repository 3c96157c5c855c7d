package dev.loupe.cli;

import dev.loupe.core.LoupeException;
import dev.loupe.core.tokenizer.Tokenizer;
import dev.loupe.lens.CorpusChunks;
import dev.loupe.lens.position.EngineScorer;
import dev.loupe.lens.position.PositionSweep;
import dev.loupe.lens.position.SweepReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "position-sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Lost in the middle (Liu et al. 2023): a fact is placed at K depths of a long filler context, a query",
                "follows, and the model is scored on the answer (greedy correct, log-probability, rank) at each depth.",
                "The fact and the query are each put on a line of their own; the prompt fills the model's context.", ""},
        footer = {"", "Examples:",
                "  loupe lens position-sweep --filler ../shared/data/tinyshakespeare/input.txt --html sweep.html",
                "  loupe lens position-sweep -m model.gguf -c 4096 --filler book.txt --positions 21 --trials 5 --json",
                "  loupe lens position-sweep --filler f.txt --fact \"Juliet's ring is in the garden.\" \\",
                "      --query \"Where is Juliet's ring? It is in the\" --answer \" garden\""})
final class LensPositionSweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--filler", paramLabel = "FILE", required = true, description = "Text the fact is hidden in (read from its start).")
    Path filler;

    @Option(names = "--fact", description = "The fact (default: ${DEFAULT-VALUE}).")
    String fact = "The passkey is 4821.";

    @Option(names = "--query", description = "The question after the filler (default: ${DEFAULT-VALUE}).")
    String query = "What is the passkey? The passkey is";

    @Option(names = "--answer", description = "The expected continuation (default: '${DEFAULT-VALUE}').")
    String answer = " 4821";

    @Option(names = "--positions", paramLabel = "K", description = "Depths from 0 (start) to 1 (just before the query) (default: ${DEFAULT-VALUE}).")
    int positions = 11;

    @Option(names = "--trials", paramLabel = "T", description = "Filler stretches averaged over at each depth (default: ${DEFAULT-VALUE}).")
    int trials = 3;

    @Option(names = "--length", paramLabel = "N", description = "Prompt length in tokens (default: the context, less the answer).")
    int length;

    @Option(names = "--html", paramLabel = "FILE", description = "Write the plot of accuracy, log-probability and rank against depth.")
    Path html;

    @Option(names = "--json", description = "Print the results as JSON.")
    boolean json;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(filler)) throw new LoupeException("no such filler file: " + filler);
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        try (LoadedModel lm = LoadedModel.open(modelOptions)) {
            Tokenizer tok = lm.tokenizer();
            int[] factIds = tok.encode("\n" + fact + "\n", false, false), queryIds = tok.encode("\n" + query, false, false);
            int[] answerIds = tok.encode(answer, false, false);
            if (answerIds.length == 0) throw new LoupeException("the answer has no tokens");
            int n = length > 0 ? length : lm.contextSize() - answerIds.length + 1;
            if (n + answerIds.length - 1 > lm.contextSize()) throw new LoupeException("--length " + n + " and the answer do not fit the context of " + lm.contextSize());
            int[] prefix = tok.addBos() ? new int[] {tok.bos()} : new int[0];
            int fillerPer = n - prefix.length - factIds.length - queryIds.length;
            int[] fillerIds = CorpusChunks.first(filler, tok, Math.max(1, fillerPer) * Math.max(1, trials));
            PositionSweep.Setup setup = new PositionSweep.Setup(prefix, fillerIds, factIds, queryIds, answerIds, n);
            double[] depths = PositionSweep.depths(positions);
            PositionSweep.Result r;
            try (EngineScorer scorer = new EngineScorer(lm.model(), lm.pool(), lm.contextSize());
                 Progress p = Progress.count(err, "sweeping", (long) positions * trials)) {
                r = PositionSweep.run(scorer, setup, depths, trials, p::update);
            }
            String model = LensSupport.modelName(modelOptions);
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("model", model);
                o.put("length", r.length());
                o.put("trials", r.trials());
                o.put("points", r.points());
                out.println(LensSupport.json(o));
            } else {
                out.print(SweepReport.table(r));
                out.flush();
            }
            if (html != null) {
                SweepReport.plot(r, model, fact).write(html);
                err.println("wrote " + html);
            }
        }
        return 0;
    }
}
