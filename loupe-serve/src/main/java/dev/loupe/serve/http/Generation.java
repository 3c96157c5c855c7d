package dev.loupe.serve.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.loupe.core.LoupeException;
import dev.loupe.core.hook.Steering;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.sample.constrain.ConstraintVocab;
import dev.loupe.core.sample.constrain.GrammarState;
import dev.loupe.core.sample.constrain.JsonSchema;
import dev.loupe.core.sample.constrain.JsonState;
import dev.loupe.core.sample.constrain.TokenConstraint;
import dev.loupe.serve.ServedModel;
import dev.loupe.serve.engine.Event;
import dev.loupe.serve.engine.QueueFullException;
import dev.loupe.serve.engine.Scheduler;
import dev.loupe.serve.engine.Ticket;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The handlers' side of a generation: checks the prompt against the context, submits it to the scheduler and
 * turns its events into a whole result or a stream. Shared by every generating endpoint of both APIs.
 */
final class Generation {
    /** Receives each piece as it arrives; an IOException means the client is gone. */
    interface Listener {
        void piece(Event.Piece piece) throws IOException;

        /** A scored prompt token; only for {@code scorePrompt} submissions. */
        default void prompt(Event.PromptToken token) throws IOException {}
    }

    /**
     * A finished generation: its text, its pieces (for logprobs), the scored prompt tokens (empty unless asked for)
     * and the scheduler's account of it.
     */
    record Result(String text, List<Event.Piece> pieces, List<Event.PromptToken> prompt, Event.Finished finished) {}

    /** How long to wait for an event before checking that the client is still there. */
    private static final long CLIENT_POLL_MILLIS = ClientConnection.INTERVAL_NANOS / 1_000_000;

    private final ServedModel model;
    private final Scheduler scheduler;
    private volatile ConstraintVocab vocab;
    /** Steering vectors requests may name, each at coefficient 1 (empty: the server was started without any). */
    private final Map<String, Steering.Term> steeringVectors;

    Generation(ServedModel model, Scheduler scheduler) {
        this(model, scheduler, Map.of());
    }

    Generation(ServedModel model, Scheduler scheduler, Map<String, Steering.Term> steeringVectors) {
        this.model = model;
        this.scheduler = scheduler;
        this.steeringVectors = new TreeMap<>(steeringVectors);
    }

    ServedModel model() {
        return model;
    }

    /** Built on the first constrained request: it reads every token's bytes once (a few seconds for 128k tokens). */
    private ConstraintVocab vocab() {
        ConstraintVocab v = vocab;
        if (v == null) {
            synchronized (this) {
                if (vocab == null) vocab = new ConstraintVocab(model.tokenizer());
                v = vocab;
            }
        }
        return v;
    }

    /**
     * Never truncates: a prompt that does not fit is the client's to shorten.
     *
     * @param field the request field the prompt came from, named in errors
     */
    Ticket submit(int[] prompt, SamplingParams params, String field) {
        return submit(prompt, params, field, false);
    }

    /** As {@link #submit(int[], SamplingParams, String)}; {@code scorePrompt} also reports each prompt token's logprob. */
    Ticket submit(int[] prompt, SamplingParams params, String field, boolean scorePrompt) {
        return submit(prompt, params, field, scorePrompt, (GrammarState) null, null);
    }

    /** As {@link #submit(int[], SamplingParams, String, boolean)}, every token drawn under {@code schema} (null: free). */
    Ticket submit(int[] prompt, SamplingParams params, String field, boolean scorePrompt, JsonSchema schema) {
        return submit(prompt, params, field, scorePrompt, schema, null);
    }

    /** As {@link #submit(int[], SamplingParams, String, boolean, JsonSchema)}, steered by {@code steer} (null: not). */
    Ticket submit(int[] prompt, SamplingParams params, String field, boolean scorePrompt, JsonSchema schema, Steering steer) {
        return submit(prompt, params, field, scorePrompt, schema == null ? null : JsonState.start(schema), steer);
    }

    /** As {@link #submit(int[], SamplingParams, String)}, every token drawn under {@code grammar} (null: free). */
    Ticket submit(int[] prompt, SamplingParams params, String field, GrammarState grammar) {
        return submit(prompt, params, field, grammar, null);
    }

    /** As {@link #submit(int[], SamplingParams, String, GrammarState)}, steered by {@code steer} (null: not). */
    Ticket submit(int[] prompt, SamplingParams params, String field, GrammarState grammar, Steering steer) {
        return submit(prompt, params, field, false, grammar, steer);
    }

    private Ticket submit(int[] prompt, SamplingParams params, String field, boolean scorePrompt, GrammarState grammar,
                          Steering steer) {
        if (prompt.length == 0) throw ApiError.badRequest("the prompt is empty", field);
        int ctx = scheduler.contextLength();
        if (prompt.length >= ctx) {
            throw ApiError.badRequest("the prompt has " + prompt.length + " tokens but the context holds " + ctx
                    + " tokens (one more is needed to generate); shorten the prompt or start the server with a larger --ctx", field);
        }
        try {
            return scheduler.submit(prompt, params, scorePrompt, grammar == null ? null : new TokenConstraint(vocab(), grammar), steer);
        } catch (QueueFullException e) {
            throw ApiError.busy(e.getMessage());
        } catch (LoupeException e) {
            throw ApiError.badRequest(e.getMessage());
        }
    }

    /**
     * The request's {@code steering} extension field, {@code [{"name": "calm", "coef": 4}, ...]} (coef defaults to 1),
     * as a steering over the server's vectors; null when absent or empty. An unknown name is a 400 naming the known ones.
     */
    Steering steering(Body b) {
        JsonNode n = b.raw("steering");
        if (n == null || n.isNull()) return null;
        if (!n.isArray()) throw ApiError.badRequest("'steering' must be an array of {\"name\": ..., \"coef\": ...}", "steering");
        List<Steering.Term> terms = new ArrayList<>();
        for (JsonNode e : n) {
            JsonNode name = e.get("name"), coef = e.get("coef");
            if (!e.isObject() || name == null || !name.isTextual()) {
                throw ApiError.badRequest("each 'steering' entry needs a string 'name' (and a number 'coef')", "steering");
            }
            if (coef != null && !coef.isNumber()) throw ApiError.badRequest("'coef' of steering vector '" + name.asText() + "' must be a number", "steering");
            double c = coef == null ? 1 : coef.asDouble();
            if (!Double.isFinite(c) || Math.abs(c) > 1e4) throw ApiError.badRequest("'coef' must be a finite number of magnitude at most 10000", "steering");
            Steering.Term t = steeringVectors.get(name.asText());
            if (t == null) {
                throw ApiError.badRequest("unknown steering vector '" + name.asText() + "' ("
                        + (steeringVectors.isEmpty() ? "this server has none; start it with --steer-dir DIR"
                        : "this server has: " + String.join(", ", steeringVectors.keySet())) + ")", "steering");
            }
            terms.add(Steering.term(t.point(), t.delta(), (float) c));
        }
        return terms.isEmpty() ? null : Steering.of(terms);
    }

    /**
     * Waits for the generation to end, handing each piece to {@code listener}. A failed listener cancels the
     * sequence (the scheduler frees its blocks) and rethrows; so does a client that hung up (noticed while the
     * request waits or computes, streamed or not) and an interrupt of the handler thread.
     */
    Result run(Ticket ticket, Listener listener) throws IOException {
        StringBuilder text = new StringBuilder();
        List<Event.Piece> pieces = new ArrayList<>();
        List<Event.PromptToken> prompt = new ArrayList<>();
        ClientConnection client = ClientConnection.current();
        try {
            while (true) {
                if (client.gone()) throw new ClientConnection.GoneException();
                Event e = ticket.next(CLIENT_POLL_MILLIS);
                switch (e) {
                    case null -> { }
                    case Event.Piece p -> {
                        text.append(p.text());
                        pieces.add(p);
                        listener.piece(p);
                    }
                    case Event.PromptToken t -> {
                        prompt.add(t);
                        listener.prompt(t);
                    }
                    case Event.Finished f -> {
                        return new Result(text.toString(), pieces, prompt, f);
                    }
                    case Event.Failed f -> throw ApiError.internal("generation failed: " + f.message());
                }
            }
        } catch (IOException | RuntimeException e) {
            ticket.cancel();
            throw e;
        } catch (InterruptedException e) {
            ticket.cancel();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    Result run(Ticket ticket) {
        try {
            return run(ticket, p -> {});
        } catch (IOException e) {
            throw ApiError.internal(e.getMessage());
        }
    }
}
