package dev.loupe.eval.run;

import dev.loupe.core.LoupeException;
import dev.loupe.core.lm.LanguageModel;
import dev.loupe.core.lm.LanguageModel.LogLikelihood;
import dev.loupe.eval.exec.CodeRunner;
import dev.loupe.eval.metric.Bootstrap;
import dev.loupe.eval.metric.Estimate;
import dev.loupe.eval.metric.Item;
import dev.loupe.eval.metric.Metric;
import dev.loupe.eval.task.Doc;
import dev.loupe.eval.task.Task;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Runs a task's rows through a model, scores them, and aggregates with bootstrap intervals. */
public final class Evaluator {
    private final LanguageModel model;
    private final Bootstrap bootstrap;
    private final long seed;
    private final CodeRunner runner;

    public Evaluator(LanguageModel model, long seed, int bootstrapIterations) {
        this(model, seed, bootstrapIterations, null);
    }

    /** @param runner runs generated programs for pass@k tasks; null when none is available (such tasks then fail) */
    public Evaluator(LanguageModel model, long seed, int bootstrapIterations, CodeRunner runner) {
        this.model = model;
        this.seed = seed;
        this.bootstrap = new Bootstrap(seed, bootstrapIterations);
        this.runner = runner;
    }

    /**
     * @param limit   rows to run (the first ones), or -1 for all
     * @param samples receives each row's record as it finishes (written to samples.jsonl)
     */
    public RunResult run(Task task, int limit, Consumer<SampleRecord> samples) {
        Instant start = Instant.now();
        requireRunner(task, runner);
        List<Doc> docs = limit < 0 ? task.docs() : task.docs().subList(0, Math.min(limit, task.docs().size()));
        Map<String, List<Item>> items = new LinkedHashMap<>();
        for (Metric m : task.metrics()) items.put(m.id(), new ArrayList<>());
        for (Doc doc : docs) {
            Outcome o = score(task, doc);
            o.metrics().forEach((k, v) -> items.get(k).add(v));
            samples.accept(new SampleRecord(task.id(doc), doc.index(), doc.source(), doc.line(), o));
        }
        List<Estimate> estimates = task.metrics().stream().map(m -> bootstrap.estimate(m, items.get(m.id()))).toList();
        double seconds = (Instant.now().toEpochMilli() - start.toEpochMilli()) / 1000.0;
        return new RunResult(task.name(), model.name(), task.type().wireName(), docs.size(), task.fewshotK(), seed,
                estimates, start.toString(), seconds);
    }

    /** Fails, before any work, when the task runs generated code and there is nothing safe to run it with. */
    public static void requireRunner(Task task, CodeRunner runner) {
        if (task.executes() && runner == null) {
            throw new LoupeException("task " + task.name() + " runs generated code for pass@k, and no sandbox is available to run it"
                    + " (loupe-sandbox); generated code is never run unconfined");
        }
    }

    Outcome score(Task task, Doc doc) {
        return switch (task.type()) {
            case LOGLIKELIHOOD -> {
                String ctx = task.context(doc);
                List<String> choices = task.choices(doc);
                int gold = task.gold(doc);
                List<LanguageModel.Request> reqs = choices.stream()
                        .map(c -> new LanguageModel.Request(ctx, task.targetDelimiter() + c)).toList();
                List<LogLikelihood> lls = model.logLikelihoods(reqs);
                yield Scoring.multipleChoice(ctx, choices, lls, gold, task.metrics());
            }
            case LOGLIKELIHOOD_ROLLING -> {
                // The whole document conditioned on BOS alone: the harness's first rolling window. Documents must
                // fit the context (text files are split by paragraph for that reason).
                String docText = task.document(doc);
                yield Scoring.rolling(docText, model.logLikelihood("", docText), task.metrics());
            }
            case GENERATE_UNTIL -> task.executes() ? executed(task, doc)
                    : task.followUps(doc).isEmpty() ? generated(task, doc) : conversation(task, doc);
        };
    }

    private Outcome generated(Task task, Doc doc) {
        String prompt = task.context(doc);
        String out = model.complete(prompt, task.sampling(0), null).text();
        String answer = task.extractAnswer(out);
        String ref = task.spec().target() == null ? null : task.extractReference(task.reference(doc));
        return Scoring.generated(prompt, out, answer, ref, task.normalize(answer), task.normalize(ref), task.metrics());
    }

    /** Each turn's prompt is the whole conversation so far, so turn 2 is answered with turn 1 and its answer in view. */
    private Outcome conversation(Task task, Doc doc) {
        List<String> turns = new ArrayList<>();
        turns.add(task.context(doc));
        turns.addAll(task.followUps(doc));
        List<String> outputs = new ArrayList<>();
        StringBuilder prompt = new StringBuilder();
        for (String turn : turns) {
            prompt.append(turn);
            String out = model.complete(prompt.toString(), task.sampling(0), null).text();
            outputs.add(out);
            prompt.append(out);
        }
        return new Outcome.Conversation(turns, outputs, Map.of());
    }

    private Outcome executed(Task task, Doc doc) {
        String prompt = task.context(doc);
        int n = task.samples();
        List<String> outputs = new ArrayList<>(n);
        List<Boolean> passed = new ArrayList<>(n);
        List<String> details = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String out = model.complete(prompt, task.sampling(i), null).text();
            CodeRunner.Execution e = runner.run(task.language(), task.program(doc, out), task.timeout());
            outputs.add(out);
            passed.add(e.passed());
            details.add(e.detail());
        }
        return Scoring.executed(prompt, outputs, passed, details, task.metrics());
    }
}
