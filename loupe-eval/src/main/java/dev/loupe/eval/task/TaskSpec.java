package dev.loupe.eval.task;

import java.util.List;

/**
 * A task as it is written in a YAML or JSON file (snake_case keys). Field meanings follow lm-evaluation-harness's
 * task YAML where one exists ({@code doc_to_text} is {@code prompt}, {@code doc_to_target} is {@code target},
 * {@code doc_to_choice} is {@code choices}). Templates are {@code {{field}}} substitutions; see {@link Template}.
 *
 * @param id             template naming a row in samples.jsonl (e.g. {@code {{question_id}}}); default the row index
 * @param data           JSONL file (optionally .gz), relative to the task file; or null with {@code generator}
 * @param dataHelp       shown when a task needs a data file the user has not given
 * @param generator      a built-in generated data set instead of a file
 * @param prompt         template for the context (loglikelihood, generate_until) or the document (rolling)
 * @param target         template for the reference answer (generate_until) or the gold choice (loglikelihood)
 * @param choices        path of a list field in the row holding the choice texts (loglikelihood)
 * @param choiceLabels   path of a list of labels ("A", "B", ...) that {@code target} may name instead of an index
 * @param targetDelimiter between context and continuation; the harness's default is one space
 * @param extract        how to pull the answer out of generated text (generate_until)
 * @param targetExtract  the same for the reference (GSM8K's target is a worked solution ending in "#### N")
 * @param ignore         regexes deleted from both answer and reference before exact_match (harness's regexes_to_ignore)
 * @param metrics        which metrics to report; defaults depend on the request type
 * @param followUps      generate_until only: templates of later turns (MT-Bench's second question); each is appended
 *                       to the previous turn's prompt and answer and generated in turn
 * @param execute        generate_until only: run each sample as a program for pass@k (HumanEval)
 * @param processDocs    a named row rewrite before templating (the harness's process_docs): "hellaswag"
 */
public record TaskSpec(
        String name,
        String description,
        String id,
        String data,
        String dataHelp,
        GeneratorSpec generator,
        RequestType request,
        String prompt,
        String target,
        String choices,
        String choiceLabels,
        String targetDelimiter,
        FewShotSpec fewshot,
        GenerationSpec generation,
        ExtractSpec extract,
        ExtractSpec targetExtract,
        List<String> ignore,
        Boolean ignoreCase,
        List<String> metrics,
        List<String> followUps,
        ExecuteSpec execute,
        String processDocs) {

    /** The same task with k few-shot examples (the harness's --num_fewshot), other few-shot settings kept. */
    public TaskSpec withFewshotK(int k) {
        FewShotSpec f = fewshot == null ? new FewShotSpec(k, null, null, null) : new FewShotSpec(k, fewshot.seed(), fewshot.separator(), fewshot.data());
        return new TaskSpec(name, description, id, data, dataHelp, generator, request, prompt, target, choices, choiceLabels,
                targetDelimiter, f, generation, extract, targetExtract, ignore, ignoreCase, metrics, followUps, execute, processDocs);
    }

    /** @param data a separate JSONL to draw examples from (the harness's fewshot_split); null draws from the task's own rows */
    public record FewShotSpec(Integer k, Long seed, String separator, String data) {}

    /**
     * @param n           samples per row (pass@k needs n >= k); more than one needs a temperature above 0
     * @param temperature 0 (default) is greedy
     * @param seed        sample i of a row is drawn with seed + i, so samples are reproducible and cacheable
     */
    public record GenerationSpec(List<String> until, Integer maxTokens, Integer n, Double temperature, Double topP, Long seed) {}

    /**
     * @param language       "python" or "java", as the runner knows them
     * @param program        template of the whole program; {@code {{completion}}} is the generated text
     *                       (HumanEval: prompt + completion + test + "check(entry_point)", as human-eval's execution.py)
     * @param timeoutSeconds wall-clock limit per program (default 10)
     */
    public record ExecuteSpec(String language, String program, Double timeoutSeconds) {}

    /**
     * @param regex    the answer is capture group {@code group} of the {@code select} match (first or last)
     * @param fallback "last_number": when the regex does not match, take the last number in the text
     *                 (the harness's GSM8K "flexible-extract")
     */
    public record ExtractSpec(String regex, Integer group, String select, String fallback) {}

    /** @param kind "arithmetic"; n rows generated from seed */
    public record GeneratorSpec(String kind, Integer n, Long seed) {}
}
