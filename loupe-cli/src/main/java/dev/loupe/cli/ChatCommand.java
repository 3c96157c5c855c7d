package dev.loupe.cli;

import dev.loupe.core.chat.ChatMessage;
import dev.loupe.core.chat.ChatTemplate;
import dev.loupe.core.chat.ChatTemplates;
import dev.loupe.core.generate.GenerationResult;
import dev.loupe.core.generate.Generator;
import dev.loupe.core.model.Session;
import dev.loupe.core.sample.SamplingParams;
import dev.loupe.core.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Chat with a model, using the chat template stored in its GGUF file.",
                "Type a message and press Enter. Commands: /reset (forget the conversation), /system TEXT,",
                "/help, /quit (or Ctrl-D). The KV cache is kept between turns, so only new text is processed.", ""},
        footer = {"", "Examples:",
                "  loupe chat -m model.gguf",
                "  loupe chat -m model.gguf --system \"You are terse.\" --temp 0.3",
                "  loupe chat -m model.gguf --chat-template chatml     override the model's template",
                "  echo \"Hello\" | loupe chat -m model.gguf             one turn from a pipe",
                "  loupe chat -m model.gguf --system \"$(cat manual.txt)\" --prompt-cache manual.session   long system prompt computed once",
                "  loupe chat -m model.gguf --steer calm.safetensors:4  every turn steered (see 'loupe lens steer')",
                "  loupe chat --context-policy shift --keep 16          a long conversation: drop half of the old turns when full"})
final class ChatCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    KvCacheOptions kvCache;

    @Mixin
    KvOffloadOptions kvOffload;

    @Option(names = "--system", paramLabel = "TEXT", description = "A system message to start the conversation with.")
    String system;

    @Option(names = "--chat-template", paramLabel = "NAME|JINJA",
            description = "Use a built-in template (chatml, llama3, llama2, phi3, gemma, mistral-v7, zephyr, ...) or Jinja text instead of the model's.")
    String template;

    @Mixin
    SamplingOptions sampling;

    @Mixin
    SteerOptions steering;

    @Mixin
    ContextPolicyOptions contextPolicy;

    @Mixin
    PromptCacheOptions promptCache;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SamplingParams params = sampling.toParams();
        try (LoadedModel lm = LoadedModel.open(modelOptions); Session session = lm.newSession(kvCache.format(), kvOffload.offload())) {
            steering.apply(lm, session, modelOptions.resolveModel().getFileName().toString());
            contextPolicy.apply(lm, session);
            session.onWarning(err::println);
            Tokenizer tok = lm.tokenizer();
            ChatTemplate tpl = ChatTemplates.select(lm.model().file().metadata(), template,
                    tok.bos() >= 0 ? tok.piece(tok.bos()) : "", tok.eos() >= 0 ? tok.piece(tok.eos()) : "");
            List<ChatMessage> messages = new ArrayList<>();
            if (system != null) messages.add(ChatMessage.system(system));
            int[] cached = new int[0];
            int[] fed = new int[0]; // every token run so far (more than the cache holds once a policy evicted)
            boolean interactive = System.console() != null && System.console().isTerminal();
            if (interactive) err.println("Chatting with " + modelOptions.resolveModel().getFileName() + ". /help for commands, /quit to leave.");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            while (true) {
                if (interactive) {
                    out.print("> ");
                    out.flush();
                }
                String line = in.readLine();
                if (line == null) break;
                line = line.strip();
                if (line.isEmpty()) continue;
                if (line.startsWith("/")) {
                    String cmd = line.split("\\s+", 2)[0];
                    switch (cmd) {
                        case "/quit", "/exit", "/bye" -> {
                            return 0;
                        }
                        case "/reset" -> {
                            messages.clear();
                            if (system != null) messages.add(ChatMessage.system(system));
                            session.rewind(0);
                            cached = new int[0];
                            fed = new int[0];
                            err.println("(conversation cleared)");
                        }
                        case "/system" -> {
                            String text = line.length() > 7 ? line.substring(7).strip() : "";
                            messages.removeIf(m -> m.role().equals("system"));
                            if (!text.isEmpty()) messages.addFirst(ChatMessage.system(text));
                            err.println(text.isEmpty() ? "(system message removed)" : "(system message set)");
                        }
                        case "/help" -> err.println("/reset  forget the conversation\n/system TEXT  set the system message\n/quit  leave");
                        default -> err.println("unknown command " + cmd + " (try /help)");
                    }
                    continue;
                }
                messages.add(ChatMessage.user(line));
                String rendered = tpl.render(messages, true);
                if (tok.addBos()) rendered = tpl.stripLeadingBos(rendered);
                int[] ids = tok.encode(rendered, true, true);
                // Reuse the cached prefix; re-feed at least one token so there are logits to sample from.
                int keep = Math.min(commonPrefix(cached, ids), ids.length - 1);
                if (session.evicted() > 0) {
                    // The cache no longer holds a prefix of the conversation, only what the policy kept: feed what is
                    // new since the last turn (the template re-renders the same earlier text).
                    keep = Math.min(commonPrefix(fed, ids), ids.length - 1);
                } else {
                    session.rewind(Math.min(keep, session.position()));
                    if (session.position() == 0) promptCache.restore(lm, session, ids, modelOptions.lora, steering.steer, err);
                    keep = session.position();
                }
                int[] fresh = Arrays.copyOfRange(ids, keep, ids.length);
                int[] prompt = ids;
                Generator g = new Generator(session, tok).afterPrompt(() -> promptCache.save(session, prompt, err));
                GenerationResult r = g.generate(fresh, Arrays.copyOf(ids, keep), params, s -> {
                    out.print(s);
                    out.flush();
                });
                out.println();
                if (interactive) err.printf("(%d tokens, %.1f tokens/s)%n", r.ids().length, r.genTokensPerSecond());
                messages.add(ChatMessage.assistant(r.text().strip()));
                int[] all = Arrays.copyOf(ids, ids.length + r.ids().length);
                System.arraycopy(r.ids(), 0, all, ids.length, r.ids().length);
                cached = Arrays.copyOf(all, Math.min(all.length, session.position()));
                fed = all;
            }
        }
        return 0;
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length), i = 0;
        while (i < n && a[i] == b[i]) i++;
        return i;
    }
}
