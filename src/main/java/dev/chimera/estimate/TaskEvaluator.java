package dev.chimera.estimate;

import dev.chimera.eval.Item;
import dev.chimera.eval.ItemResult;
import dev.chimera.eval.Task;
import dev.chimera.eval.TaskResult;
import dev.chimera.eval.TaskRunner;
import dev.chimera.eval.TokenCodec;
import dev.chimera.eval.Tokenizer;
import dev.chimera.model.CausalLM;
import dev.chimera.tensor.ComputeDevice;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real {@link ModelEvaluator}: loads the model folder ({@link CausalLM}) and its tokenizer, runs the task's
 * items with {@link TaskRunner} (as {@code chimera eval} does) and closes both; item correctness is the task metric's
 * verdict ({@link ItemResult#correct()}).
 */
public final class TaskEvaluator implements ModelEvaluator {
    private final Task task;
    private final List<Item> items;
    private final List<Item> fewshot;
    private final String device;
    private final Runnable onCall;

    /**
     * @param device cpu or cuda:N
     * @param onCall run after every model call (progress); may be a no-op
     */
    public TaskEvaluator(Task task, List<Item> items, List<Item> fewshot, String device, Runnable onCall) {
        this.task = task;
        this.items = List.copyOf(items);
        this.fewshot = List.copyOf(fewshot);
        this.device = device;
        this.onCall = onCall;
    }

    @Override
    public Map<String, Boolean> evaluate(Path model) {
        try (CausalLM lm = CausalLM.load(model, ComputeDevice.available(device));
                Tokenizer tok = Tokenizer.load(model)) {
            TaskResult r = TaskRunner.score(lm, TokenCodec.of(tok), task, items, fewshot, onCall);
            Map<String, Boolean> out = new LinkedHashMap<>();
            for (ItemResult ir : r.items()) {
                out.put(ir.id(), ir.correct());
            }
            return out;
        }
    }
}
