package dev.chimera.estimate;

import java.nio.file.Path;
import java.util.Map;

/**
 * Evaluates one model on every item of a task (the task is bound when the evaluator is made). {@link TaskEvaluator}
 * runs a real model; tests use fakes.
 */
@FunctionalInterface
public interface ModelEvaluator {
    /** Whether the model in {@code model} answers each item correctly, by item id (every item of the task). */
    Map<String, Boolean> evaluate(Path model);
}
