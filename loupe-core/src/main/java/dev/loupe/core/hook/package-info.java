/**
 * Named hook points in the forward pass (TransformerLens names: {@code hook_embed}, {@code blocks.L.hook_resid_pre},
 * {@code blocks.L.attn.hook_z}, ...). A {@link dev.loupe.core.hook.Hooks} table installed on a
 * {@link dev.loupe.core.model.Forward} runs {@link dev.loupe.core.hook.Hook}s that read or write activations in place;
 * with none installed the forward pass does one null check per site per layer. Start with {@code HookSite}.
 */
package dev.loupe.core.hook;
