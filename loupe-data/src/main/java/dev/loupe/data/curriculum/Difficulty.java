package dev.loupe.data.curriculum;

import dev.loupe.core.LoupeException;
import dev.loupe.data.Document;
import dev.loupe.data.score.ModelLoss;

/** How hard a document is; lower is easier. NaN means "could not be scored" (such documents go last). */
public sealed interface Difficulty {
    double of(Document d);

    /** Its mean next-token loss under a proxy model (nats per token): the usual curriculum signal. */
    record ProxyLoss(ModelLoss loss) implements Difficulty {
        @Override
        public double of(Document d) {
            return loss.loss(d.text());
        }
    }

    /** A number an earlier run wrote into metadata: {@code perplexity}, {@code loss_late}, {@code learnability}... */
    record Field(String name, boolean descending) implements Difficulty {
        @Override
        public double of(Document d) {
            if (!(d.metadata().get(name) instanceof Number n))
                throw new LoupeException(d.id() + ": no numeric metadata field '" + name + "' to order by");
            return descending ? -n.doubleValue() : n.doubleValue();
        }
    }
}
