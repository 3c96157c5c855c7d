package dev.loupe.data.filter;

import com.fasterxml.jackson.annotation.JacksonInject;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.OptBoolean;
import dev.loupe.core.LoupeException;
import dev.loupe.data.Document;
import dev.loupe.data.pipeline.PipelineLoader;
import dev.loupe.data.step.Counters;
import dev.loupe.data.step.DocStep;
import dev.loupe.data.step.Outcome;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * C4's bad-words rule: remove any document containing a word from the "List of Dirty, Naughty, Obscene or
 * Otherwise Bad Words" (Raffel et al. 2020, section 2.2). Loupe ships no list: {@code file} names the user's own,
 * one word or phrase per line. As in TFDS's c4_utils (and datatrove), a word matches only between non-word
 * characters, on the lowercased text.
 */
public final class C4BadWordsFilter implements DocStep {
    private final String name;
    private final String file;
    @JsonIgnore
    private final List<String> words;
    @JsonIgnore
    private final Pattern pattern;

    @JsonCreator
    public C4BadWordsFilter(@JsonProperty("name") String name, @JsonProperty("file") String file,
                            @JacksonInject(value = PipelineLoader.BASE_DIR, useInput = OptBoolean.FALSE) String baseDir) {
        this.name = name == null ? "c4_bad_words" : name;
        if (file == null) throw new LoupeException("c4_bad_words needs 'file': your word list, one per line");
        Path p = baseDir == null ? Path.of(file) : Path.of(baseDir).resolve(file);
        this.file = p.toString();
        try {
            this.words = Files.readAllLines(p).stream().map(String::strip).filter(s -> !s.isEmpty())
                    .map(s -> s.toLowerCase(Locale.ROOT)).distinct().toList();
        } catch (IOException e) {
            throw new LoupeException("c4_bad_words: cannot read " + p + ": " + e.getMessage());
        }
        if (words.isEmpty()) throw new LoupeException("c4_bad_words: " + p + " has no words");
        this.pattern = Pattern.compile("(?:\\W|^)(" + words.stream().map(Pattern::quote).collect(Collectors.joining("|")) + ")(?:\\W|$)",
                Pattern.UNICODE_CHARACTER_CLASS);
    }

    @JsonProperty
    @Override
    public String name() {
        return name;
    }

    @JsonProperty
    public String file() {
        return file;
    }

    @Override
    public Outcome apply(Document doc, Counters c) {
        var m = pattern.matcher(doc.text().toLowerCase(Locale.ROOT));
        if (m.find()) {
            c.inc("word:" + m.group(1));
            return Outcome.drop("bad_words");
        }
        return Outcome.keep(doc);
    }
}
