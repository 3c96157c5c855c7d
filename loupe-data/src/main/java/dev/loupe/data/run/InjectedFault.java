package dev.loupe.data.run;

import java.io.Serializable;

/**
 * Test hook: in the final (writing) pass, shard {@code shard} throws after reading {@code afterDocs} documents, as a
 * run killed while writing would stop.
 */
public record InjectedFault(int shard, long afterDocs) implements Serializable {
    public static final class Failure extends RuntimeException {
        Failure(String m) {
            super(m);
        }
    }
}
