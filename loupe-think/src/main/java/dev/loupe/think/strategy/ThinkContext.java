package dev.loupe.think.strategy;

import dev.loupe.think.answer.AnswerExtractor;

/** What a strategy works with on one problem: model access (with compute accounting), answer extraction, a trace. */
public record ThinkContext(Sampling sampling, AnswerExtractor extractor, Trace trace) {}
