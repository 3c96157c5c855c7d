package dev.loupe.think.search;

import java.util.List;

/** A tree for {@link Mcts} to search: states, their children, and a rollout that estimates a state's value. */
public interface SearchTree<S> {

    /** The children of a non-terminal state; called once per state, when MCTS first expands it. */
    List<S> children(S state);

    boolean terminal(S state);

    /**
     * The value of {@code state} in [0, 1]: its reward when terminal, else the reward at the end of one rollout
     * (a random or sampled completion) from it.
     */
    double value(S state);
}
