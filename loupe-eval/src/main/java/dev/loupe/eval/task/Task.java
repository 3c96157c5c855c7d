package dev.loupe.eval.task;

import dev.loupe.core.LoupeException;
import dev.loupe.eval.metric.Metric;

import dev.loupe.core.sample.SamplingParams;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * A loaded task: its rows and everything needed to turn a row into requests and a reference. Built by
 * {@link TaskLoader}, which has already checked the spec, so methods here only fail on bad rows.
 */
public final class Task {
    private final TaskSpec spec;
    private final List<Doc> docs;
    private final List<Doc> fewshotPool;
    private final boolean fewshotFromSelf;
    private final Template prompt;
    private final Template target;
    private final Extractor extract;
    private final Extractor targetExtract;
    private final List<Pattern> ignore;
    private final List<Metric> metrics;
    private final List<Template> followUps;
    private final Template program;
    private final String where;

    Task(TaskSpec spec, List<Doc> docs, List<Doc> fewshotPool, boolean fewshotFromSelf, List<Metric> metrics, String where) {
        this.spec = spec;
        this.docs = List.copyOf(docs);
        this.fewshotPool = List.copyOf(fewshotPool);
        this.fewshotFromSelf = fewshotFromSelf;
        this.prompt = Template.of(spec.prompt());
        this.target = spec.target() == null ? null : Template.of(spec.target());
        this.extract = Extractor.of(spec.extract(), where);
        this.targetExtract = Extractor.of(spec.targetExtract(), where);
        this.ignore = spec.ignore() == null ? List.of() : spec.ignore().stream().map(Pattern::compile).toList();
        this.metrics = List.copyOf(metrics);
        this.followUps = spec.followUps() == null ? List.of() : spec.followUps().stream().map(Template::of).toList();
        this.program = spec.execute() == null ? null : Template.of(spec.execute().program());
        this.where = where;
    }

    /** This task with {@code k} few-shot examples per row instead of the file's setting. */
    public Task withFewshotK(int k) {
        if (k < 0) throw new LoupeException("the number of few-shot examples must be >= 0, got " + k);
        return new Task(spec.withFewshotK(k), docs, fewshotPool, fewshotFromSelf, metrics, where);
    }

    public String name() {
        return spec.name();
    }

    public TaskSpec spec() {
        return spec;
    }

    public RequestType type() {
        return spec.request();
    }

    public List<Doc> docs() {
        return docs;
    }

    public List<Metric> metrics() {
        return metrics;
    }

    public int fewshotK() {
        return spec.fewshot() == null || spec.fewshot().k() == null ? 0 : spec.fewshot().k();
    }

    public long fewshotSeed() {
        return spec.fewshot() == null || spec.fewshot().seed() == null ? 1234 : spec.fewshot().seed();
    }

    public String targetDelimiter() {
        return spec.targetDelimiter() == null ? " " : spec.targetDelimiter();
    }

    /** The context for a row: k worked examples, each "prompt + delimiter + answer", then the row's prompt. */
    public String context(Doc doc) {
        String sep = spec.fewshot() == null || spec.fewshot().separator() == null ? "\n\n" : spec.fewshot().separator();
        StringBuilder sb = new StringBuilder();
        for (Doc ex : fewshotExamples(doc)) {
            sb.append(prompt.render(ex)).append(targetDelimiter()).append(answerText(ex)).append(sep);
        }
        return sb.append(prompt.render(doc)).toString();
    }

    /**
     * Examples are drawn per row from a stream seeded by (seed, row index), unlike the harness's one stream per
     * task: a row's prompt then does not depend on which rows ran before it, so --limit and resumed runs give the
     * same prompts. A row never serves as its own example.
     */
    List<Doc> fewshotExamples(Doc doc) {
        int k = fewshotK();
        if (k == 0) return List.of();
        List<Doc> pool = new ArrayList<>(fewshotPool);
        if (fewshotFromSelf) pool.removeIf(d -> d.index() == doc.index());
        if (pool.size() < k) throw new LoupeException("task " + name() + ": few-shot k=" + k + " but only " + pool.size() + " rows to draw from");
        SplittableRandom rnd = new SplittableRandom(fewshotSeed() * 0x9E3779B97F4A7C15L + doc.index());
        List<Doc> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) out.add(pool.remove(rnd.nextInt(pool.size())));
        return out;
    }

    private String answerText(Doc ex) {
        return type() == RequestType.LOGLIKELIHOOD ? choices(ex).get(gold(ex)) : reference(ex);
    }

    /** The row's id in samples.jsonl: the {@code id} template, or the row index. */
    public String id(Doc doc) {
        return spec.id() == null ? String.valueOf(doc.index()) : Template.of(spec.id()).render(doc);
    }

    /** The document scored by loglikelihood_rolling. */
    public String document(Doc doc) {
        return prompt.render(doc);
    }

    public List<String> choices(Doc doc) {
        Object v = Template.resolve(doc, spec.choices());
        if (!(v instanceof List<?> list) || list.isEmpty()) {
            throw new LoupeException(doc.where() + ": field '" + spec.choices() + "' is not a non-empty list of choices");
        }
        return list.stream().map(String::valueOf).toList();
    }

    /** The gold choice's index: the target is an index, a label from choice_labels, or the text of a choice. */
    public int gold(Doc doc) {
        String t = target.render(doc).strip();
        List<String> choices = choices(doc);
        int idx;
        if (spec.choiceLabels() != null) {
            Object labels = Template.resolve(doc, spec.choiceLabels());
            idx = labels instanceof List<?> l ? l.stream().map(String::valueOf).toList().indexOf(t) : -1;
        } else if (t.matches("\\d+")) {
            idx = Integer.parseInt(t);
        } else {
            idx = choices.indexOf(t);
        }
        if (idx < 0 || idx >= choices.size()) {
            throw new LoupeException(doc.where() + ": target '" + t + "' names none of the " + choices.size() + " choices");
        }
        return idx;
    }

    /** The reference answer text for generate_until (before extraction). */
    public String reference(Doc doc) {
        if (target == null) throw new LoupeException("task " + name() + " has no target template");
        return target.render(doc);
    }

    public String extractAnswer(String generated) {
        return extract.apply(generated);
    }

    public String extractReference(String reference) {
        return targetExtract.apply(reference);
    }

    /** The harness's exact_match normalisation: delete ignore regexes, optionally lower-case, strip. */
    public String normalize(String s) {
        if (s == null) return null;
        for (Pattern p : ignore) s = p.matcher(s).replaceAll("");
        if (Boolean.TRUE.equals(spec.ignoreCase())) s = s.toLowerCase(java.util.Locale.ROOT);
        return s.strip();
    }

    public List<String> until() {
        return spec.generation() == null || spec.generation().until() == null ? List.of("\n\n") : spec.generation().until();
    }

    public int maxTokens() {
        return spec.generation() == null || spec.generation().maxTokens() == null ? 256 : spec.generation().maxTokens();
    }

    /** Samples generated per row (generation.n, default 1). */
    public int samples() {
        return spec.generation() == null || spec.generation().n() == null ? 1 : spec.generation().n();
    }

    /** Sample {@code i} of a row: greedy unless the task sets a temperature; seeded with seed + i when sampling. */
    public SamplingParams sampling(int i) {
        SamplingParams p = SamplingParams.greedy().withMaxTokens(maxTokens()).withStop(until());
        TaskSpec.GenerationSpec g = spec.generation();
        if (g == null || g.temperature() == null || g.temperature() == 0) return p;
        p = p.withTemperature(g.temperature().floatValue()).withSeed((g.seed() == null ? 1234 : g.seed()) + i);
        return g.topP() == null ? p : p.withTopP(g.topP().floatValue());
    }

    /** The later turns' texts for a row (empty for single-turn tasks). */
    public List<String> followUps(Doc doc) {
        return followUps.stream().map(t -> t.render(doc)).toList();
    }

    /** Whether samples are run as programs (pass@k). */
    public boolean executes() {
        return spec.execute() != null;
    }

    public String language() {
        return spec.execute().language();
    }

    public Duration timeout() {
        Double s = spec.execute().timeoutSeconds();
        return Duration.ofMillis(Math.round((s == null ? 10 : s) * 1000));
    }

    /** The program to run for one sample: the execute template over the row plus {@code completion}. */
    public String program(Doc doc, String completion) {
        Map<String, Object> fields = new LinkedHashMap<>(doc.fields());
        fields.put("completion", completion);
        return program.render(new Doc(doc.index(), doc.source(), doc.line(), fields));
    }
}
