package dev.loupe.core.hook;

/**
 * Code run at a hook point. It may read the activation (cache it) or write it in place (patch, ablate, steer);
 * the forward pass continues with whatever the buffer holds when the hook returns. The {@link HookTensor} is a
 * view reused for every call: copy what you keep.
 */
@FunctionalInterface
public interface Hook {
    void apply(HookPoint point, HookTensor t);
}
