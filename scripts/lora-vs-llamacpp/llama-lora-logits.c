// Prints llama.cpp's logits for a token sequence, with an optional LoRA adapter applied at load time, as
// little-endian float32 [n_tokens][n_vocab] to a file. Used to check Loupe's adapter files and its engine's
// adapter application against llama.cpp (see loupe-train/README.md).
// Built and run by run.sh (next to this file).
// Usage: llama-lora-logits MODEL.gguf ADAPTER.gguf|- SCALE TOKENS(comma-separated) OUT.f32
#include "llama.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char ** argv) {
    if (argc != 6) { fprintf(stderr, "usage: %s MODEL ADAPTER|- SCALE TOKENS OUT\n", argv[0]); return 2; }
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    struct llama_model * model = llama_model_load_from_file(argv[1], mp);
    if (!model) { fprintf(stderr, "cannot load model\n"); return 1; }
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 256; cp.n_batch = 256; cp.n_threads = 2; cp.n_threads_batch = 2;
    struct llama_context * ctx = llama_init_from_model(model, cp);
    if (strcmp(argv[2], "-") != 0) {
        struct llama_adapter_lora * a = llama_adapter_lora_init(model, argv[2]);
        if (!a) { fprintf(stderr, "cannot load adapter\n"); return 1; }
        float scale = (float) atof(argv[3]);
        if (llama_set_adapters_lora(ctx, &a, 1, &scale) != 0) { fprintf(stderr, "cannot set adapter\n"); return 1; }
    }
    llama_token toks[256]; int n = 0;
    for (char * s = strtok(argv[4], ","); s && n < 256; s = strtok(NULL, ",")) toks[n++] = atoi(s);
    struct llama_batch b = llama_batch_init(n, 0, 1);
    for (int i = 0; i < n; i++) { b.token[i] = toks[i]; b.pos[i] = i; b.n_seq_id[i] = 1; b.seq_id[i][0] = 0; b.logits[i] = 1; }
    b.n_tokens = n;
    if (llama_decode(ctx, b) != 0) { fprintf(stderr, "decode failed\n"); return 1; }
    int nv = llama_vocab_n_tokens(llama_model_get_vocab(model));
    FILE * f = fopen(argv[5], "wb");
    for (int i = 0; i < n; i++) fwrite(llama_get_logits_ith(ctx, i), sizeof(float), nv, f);
    fclose(f);
    llama_batch_free(b);
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}
