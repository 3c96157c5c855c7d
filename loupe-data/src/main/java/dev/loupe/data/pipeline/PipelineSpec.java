package dev.loupe.data.pipeline;

import dev.loupe.core.LoupeException;
import dev.loupe.data.step.Step;

import java.io.Serializable;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A whole pipeline as declared: input, steps in order, output. Built from YAML/JSON or in Java. */
public record PipelineSpec(InputSpec input, List<Step> steps, OutputSpec output) implements Serializable {
    public PipelineSpec {
        if (input == null) throw new LoupeException("the pipeline has no 'input' section");
        if (output == null) throw new LoupeException("the pipeline has no 'output' section");
        steps = steps == null ? List.of() : List.copyOf(steps);
        Set<String> names = new HashSet<>();
        for (Step s : steps) {
            if (!names.add(s.name()))
                throw new LoupeException("two steps are named '" + s.name() + "': give one of them a 'name:'");
        }
    }
}
