/**
 * Constrained decoding: every sampled token keeps the output a prefix of a JSON value valid against a schema.
 *
 * <p>Reading order: {@link dev.loupe.core.sample.constrain.JsonSchema} (the supported subset: object with
 * properties/required, string, number, integer, boolean, null, enum/const, array with items, anyOf),
 * {@code SchemaNode} (its compiled form, with the fewest bytes each part needs), {@link
 * dev.loupe.core.sample.constrain.JsonState} (the byte automaton), {@code TokenTrie} and {@link
 * dev.loupe.core.sample.constrain.ConstraintVocab} (which tokens a state allows, by one walk over a trie of token
 * bytes, cached per state), and {@link dev.loupe.core.sample.constrain.TokenConstraint} (one sequence: the mask before
 * each draw, the state after it). {@link dev.loupe.core.sample.constrain.ReplyGrammar} composes free text, fixed
 * syntax and JSON values into the grammar of a whole reply (tool calls in a chat format's own syntax); both it and
 * {@code JsonState} are {@link dev.loupe.core.sample.constrain.GrammarState}s, which is all the masking needs.
 *
 * <p>Two choices worth knowing. The automaton works on bytes, not characters, because tokens split UTF-8 characters;
 * inside strings it checks UTF-8 itself so the output always decodes. And each state knows the fewest bytes that
 * complete the value; with the remaining token budget it forbids tokens that would open more than can be closed, so
 * a request with {@code max_tokens} still ends in a value that parses (whenever that is possible at all: the
 * vocabulary needs single-byte tokens, which byte-level BPE and SentencePiece byte fallback provide).
 */
package dev.loupe.core.sample.constrain;
