package dev.loupe.think.search;

import java.util.ArrayList;
import java.util.List;

/**
 * Monte Carlo tree search with UCT (Kocsis and Szepesvári 2006): select by
 * {@code mean + c * sqrt(ln N_parent / N_child)}, expand a leaf's children all at once (a language model gives
 * several next steps per call), evaluate one new child by a rollout, back the value up to the root. The
 * recommendation follows the most-visited child from the root. Deterministic given the tree: unvisited children
 * are tried in order and ties go to the first child.
 */
public final class Mcts<S> {
    private final SearchTree<S> tree;
    private final double exploration;
    private final Node<S> root;

    /** A state in the search and its statistics. */
    public static final class Node<S> {
        final S state;
        final Node<S> parent;
        List<Node<S>> children;   // null until expanded
        int visits;
        double total;

        Node(S state, Node<S> parent) {
            this.state = state;
            this.parent = parent;
        }

        public S state() {
            return state;
        }

        public int visits() {
            return visits;
        }

        public double mean() {
            return visits == 0 ? 0 : total / visits;
        }

        public List<Node<S>> children() {
            return children == null ? List.of() : children;
        }
    }

    public Mcts(SearchTree<S> tree, S rootState, double exploration) {
        this.tree = tree;
        this.root = new Node<>(rootState, null);
        this.exploration = exploration;
    }

    public Node<S> root() {
        return root;
    }

    /** Runs {@code iterations} select-expand-evaluate-backup rounds, telling {@code listener} (nullable) about each. */
    public void run(int iterations, Listener<S> listener) {
        for (int i = 0; i < iterations; i++) {
            Node<S> leaf = select();
            double v = tree.value(leaf.state);
            for (Node<S> n = leaf; n != null; n = n.parent) {
                n.visits++;
                n.total += v;
            }
            if (listener != null) listener.evaluated(i, leaf, v);
        }
    }

    /** Called after each round with the node that was evaluated and its value. */
    public interface Listener<S> {
        void evaluated(int iteration, Node<S> node, double value);
    }

    private Node<S> select() {
        Node<S> node = root;
        while (!tree.terminal(node.state)) {
            if (node.children == null) {
                node.children = new ArrayList<>();
                for (S s : tree.children(node.state)) node.children.add(new Node<>(s, node));
            }
            if (node.children.isEmpty()) return node;
            for (Node<S> c : node.children) if (c.visits == 0) return c;
            node = bestUct(node);
        }
        return node;
    }

    private Node<S> bestUct(Node<S> node) {
        Node<S> best = null;
        double bestValue = Double.NEGATIVE_INFINITY;
        double logN = Math.log(node.visits);
        for (Node<S> c : node.children) {
            double u = c.mean() + exploration * Math.sqrt(logN / c.visits);
            if (u > bestValue) {
                bestValue = u;
                best = c;
            }
        }
        return best;
    }

    /** The recommended path: from the root, always the most-visited child (ties to the first). */
    public List<Node<S>> bestPath() {
        List<Node<S>> path = new ArrayList<>();
        Node<S> node = root;
        path.add(node);
        while (node.children != null && !node.children.isEmpty()) {
            Node<S> best = node.children.getFirst();
            for (Node<S> c : node.children) if (c.visits > best.visits) best = c;
            if (best.visits == 0) break;
            node = best;
            path.add(node);
        }
        return path;
    }
}
