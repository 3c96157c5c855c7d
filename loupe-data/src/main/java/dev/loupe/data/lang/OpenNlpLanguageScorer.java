package dev.loupe.data.lang;

import dev.loupe.core.LoupeException;
import opennlp.tools.langdetect.Language;
import opennlp.tools.langdetect.LanguageDetectorME;
import opennlp.tools.langdetect.LanguageDetectorModel;

import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.TreeSet;

/**
 * Apache OpenNLP's maxent language detector with its published 103-language model ({@code langdetect-183.bin},
 * from the opennlp-models-langdetect jar on the classpath; codes are ISO 639-3: eng, fra, deu, spa...).
 * The model is read once per JVM (lazily, so a Spark executor loads it on first use rather than receiving 10 MB
 * in every task); {@link LanguageDetectorME} keeps per-call state, so each thread gets its own over the shared,
 * immutable model.
 */
public enum OpenNlpLanguageScorer implements LanguageScorer {
    INSTANCE;

    /** Only the head of a long document is read: the language is settled long before, and cost grows with length. */
    static final int MAX_CHARS = 4096;

    private static final String MODEL_RESOURCE = "/langdetect-183.bin";

    /** Holder idiom: the model loads on first use, once, thread-safely. */
    private static final class Model {
        static final LanguageDetectorModel MODEL = load();
        static final ThreadLocal<LanguageDetectorME> DETECTOR =
                ThreadLocal.withInitial(() -> new LanguageDetectorME(MODEL));
        static final Set<String> SUPPORTED = supportedOf(DETECTOR.get());

        private static LanguageDetectorModel load() {
            try (InputStream in = OpenNlpLanguageScorer.class.getResourceAsStream(MODEL_RESOURCE)) {
                if (in == null) throw new LoupeException("language: the OpenNLP model " + MODEL_RESOURCE
                        + " is not on the classpath (it comes from org.apache.opennlp:opennlp-models-langdetect)");
                return new LanguageDetectorModel(in);
            } catch (IOException e) {
                throw new LoupeException("language: cannot read the OpenNLP model: " + e.getMessage());
            }
        }

        private static Set<String> supportedOf(LanguageDetectorME d) {
            return java.util.Collections.unmodifiableSet(new TreeSet<>(java.util.Arrays.asList(d.getSupportedLanguages())));
        }
    }

    @Override
    public Guess best(CharSequence text) {
        CharSequence head = text.length() > MAX_CHARS ? text.subSequence(0, MAX_CHARS) : text;
        Language l = Model.DETECTOR.get().predictLanguage(head);
        return new Guess(l.getLang(), l.getConfidence());
    }

    @Override
    public Set<String> supported() {
        return Model.SUPPORTED;
    }
}
