// Records llama.cpp's outputs for one model with a chosen KV cache type, in the format of
// shared/fixtures/reference (README there): for each of three prompts, the prompt ids, 32 greedy ids and the
// top-1/top-2 logit margins; the first prompt's logits at every position go to OUT.logits.f32.
// Usage: llama-kv-reference MODEL OUT_PREFIX TYPE_K TYPE_V FLASH_ATTN(0|1)
#include "llama.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum ggml_type type_of(const char * s) {
    if (!strcmp(s, "f32")) return GGML_TYPE_F32;
    if (!strcmp(s, "f16")) return GGML_TYPE_F16;
    if (!strcmp(s, "q8_0")) return GGML_TYPE_Q8_0;
    if (!strcmp(s, "q4_0")) return GGML_TYPE_Q4_0;
    fprintf(stderr, "bad type %s\n", s);
    exit(1);
}

int main(int argc, char ** argv) {
    if (argc != 6) { fprintf(stderr, "usage: %s MODEL OUT_PREFIX TYPE_K TYPE_V FA\n", argv[0]); return 1; }
    const char * prompts[3] = {"The capital of France is", "Once upon a time", "1, 2, 3,"};
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    struct llama_model * model = llama_model_load_from_file(argv[1], mp);
    if (!model) return 1;
    const struct llama_vocab * vocab = llama_model_get_vocab(model);
    int n_vocab = llama_vocab_n_tokens(vocab);
    char path[4096];
    snprintf(path, sizeof path, "%s.json", argv[2]);
    FILE * js = fopen(path, "w");
    fprintf(js, "{\n \"n_vocab\": %d,\n \"cache_type_k\": \"%s\", \"cache_type_v\": \"%s\", \"flash_attn\": %s,\n \"prompts\": [\n",
            n_vocab, argv[3], argv[4], atoi(argv[5]) ? "true" : "false");
    for (int p = 0; p < 3; p++) {
        struct llama_context_params cp = llama_context_default_params();
        cp.n_ctx = 256; cp.n_batch = 256; cp.n_ubatch = 256; cp.n_threads = 2; cp.n_threads_batch = 2;
        cp.type_k = type_of(argv[3]); cp.type_v = type_of(argv[4]);
        cp.flash_attn_type = atoi(argv[5]) ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
        struct llama_context * ctx = llama_init_from_model(model, cp);
        if (!ctx) return 1;
        llama_token ids[256];
        int n = llama_tokenize(vocab, prompts[p], strlen(prompts[p]), ids, 256, true, false);
        struct llama_batch b = llama_batch_init(256, 0, 1);
        b.n_tokens = n;
        for (int i = 0; i < n; i++) {
            b.token[i] = ids[i]; b.pos[i] = i; b.n_seq_id[i] = 1; b.seq_id[i][0] = 0; b.logits[i] = 1;
        }
        if (llama_decode(ctx, b)) return 1;
        if (p == 0) {
            snprintf(path, sizeof path, "%s.logits.f32", argv[2]);
            FILE * lf = fopen(path, "wb");
            for (int i = 0; i < n; i++) fwrite(llama_get_logits_ith(ctx, i), sizeof(float), n_vocab, lf);
            fclose(lf);
        }
        fprintf(js, "  {\"prompt\": \"%s\", \"prompt_ids\": [", prompts[p]);
        for (int i = 0; i < n; i++) fprintf(js, "%s%d", i ? ", " : "", ids[i]);
        fprintf(js, "], \"greedy_ids\": [");
        float margins[32]; int steps = 0, eog = 0, last = n - 1, pos = n;
        for (; steps < 32; steps++) {
            const float * lg = llama_get_logits_ith(ctx, last);
            int best = 0;
            for (int v = 1; v < n_vocab; v++) if (lg[v] > lg[best]) best = v;
            float second = -1e30f;
            for (int v = 0; v < n_vocab; v++) if (v != best && lg[v] > second) second = lg[v];
            margins[steps] = lg[best] - second;
            fprintf(js, "%s%d", steps ? ", " : "", best);
            if (llama_vocab_is_eog(vocab, best)) { eog = 1; steps++; break; }
            b.n_tokens = 1; b.token[0] = best; b.pos[0] = pos++; b.n_seq_id[0] = 1; b.seq_id[0][0] = 0; b.logits[0] = 1;
            if (llama_decode(ctx, b)) return 1;
            last = 0;
        }
        fprintf(js, "], \"stopped_at_eog\": %s, \"top1_top2_margins\": [", eog ? "true" : "false");
        for (int i = 0; i < steps; i++) fprintf(js, "%s%.5f", i ? ", " : "", margins[i]);
        fprintf(js, "]}%s\n", p < 2 ? "," : "");
        llama_batch_free(b);
        llama_free(ctx);
    }
    fprintf(js, " ]\n}\n");
    fclose(js);
    llama_model_free(model);
    return 0;
}
