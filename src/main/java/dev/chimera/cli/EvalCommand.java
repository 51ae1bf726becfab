package dev.chimera.cli;

import dev.chimera.eval.ChatTemplate;
import dev.chimera.eval.Item;
import dev.chimera.eval.SampleLogWriter;
import dev.chimera.eval.Task;
import dev.chimera.eval.TaskLoader;
import dev.chimera.eval.TaskResult;
import dev.chimera.eval.TaskRunner;
import dev.chimera.eval.TokenCodec;
import dev.chimera.eval.Tokenizer;
import dev.chimera.model.CausalLM;
import dev.chimera.tensor.ComputeDevice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code chimera eval}: runs a model on a task and prints its metrics. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a model folder on a task file.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Hugging Face model folder")
    Path model;

    @Option(names = "--task", required = true, paramLabel = "TASK", description = "task file (.yml/.yaml/.conf)")
    Path task;

    @Option(names = "--limit", description = "evaluate only the first N items")
    Integer limit;

    @Option(names = "--items", split = ",", description = "evaluate only these item ids")
    List<String> items;

    @Option(names = "--device", description = "cpu or cuda:N (default: ${DEFAULT-VALUE})", defaultValue = "cpu")
    String device;

    @Option(names = "--log-samples", paramLabel = "OUT.jsonl", description = "write one JSON line per item")
    Path logSamples;

    @Option(
            names = "--apply-chat-template",
            description = "render an lm-eval task's prompts through the model's chat template (lm-eval's flag)")
    boolean applyChatTemplate;

    @Option(
            names = "--fewshot-as-multiturn",
            arity = "0..1",
            fallbackValue = "true",
            paramLabel = "BOOL",
            description = "with a chat template: few-shot examples as user/assistant turns (default true, as lm-eval)")
    Boolean fewshotAsMultiturn;

    @Option(names = "--system-instruction", paramLabel = "TEXT", description = "with a chat template: system text")
    String systemInstruction;

    @Option(
            names = "--chat-template-arg",
            paramLabel = "KEY=VALUE",
            description = "an extra chat-template variable, e.g. enable_thinking=false (true/false are booleans)")
    Map<String, String> chatTemplateArgs;

    @Override
    public Integer call() {
        if ((fewshotAsMultiturn != null || systemInstruction != null || chatTemplateArgs != null)
                && !applyChatTemplate) {
            throw new IllegalArgumentException(
                    "--fewshot-as-multiturn, --system-instruction and --chat-template-arg need --apply-chat-template");
        }
        Task loaded = TaskLoader.load(task);
        try (Tokenizer tok = Tokenizer.load(model)) {
            Task t = applyChatTemplate
                    ? loaded.withChatTemplate(
                            ChatTemplate.of(tok),
                            fewshotAsMultiturn == null || fewshotAsMultiturn,
                            systemInstruction,
                            templateArgs())
                    : loaded;
            evaluate(t, tok);
        }
        return 0;
    }

    private Map<String, Object> templateArgs() {
        Map<String, Object> out = new LinkedHashMap<>();
        if (chatTemplateArgs != null) {
            chatTemplateArgs.forEach(
                    (k, v) -> out.put(k, v.equals("true") || v.equals("false") ? (Object) Boolean.parseBoolean(v) : v));
        }
        return out;
    }

    private void evaluate(Task t, Tokenizer tok) {
        List<Item> all = TaskLoader.items(t);
        List<Item> chosen = new ArrayList<>();
        if (items != null) {
            Set<String> wanted = new LinkedHashSet<>(items);
            for (Item i : all) {
                if (wanted.remove(i.id())) {
                    chosen.add(i);
                }
            }
            if (!wanted.isEmpty()) {
                throw new IllegalArgumentException("task " + t.name() + " has no items " + wanted);
            }
        } else {
            chosen.addAll(all);
        }
        if (limit != null) {
            chosen = chosen.subList(0, Math.min(limit, chosen.size()));
        }
        try (CausalLM lm = CausalLM.load(model, ComputeDevice.available(device))) {
            Progress progress = new Progress(System.err, t.name(), chosen.size());
            TaskResult r = TaskRunner.score(
                    lm, TokenCodec.of(tok), t, chosen, TaskLoader.fewshotItems(t), () -> progress.step(0));
            for (Map.Entry<String, Double> m : r.metrics().entrySet()) {
                System.out.printf("%s %s %.4f%n", t.name(), m.getKey(), m.getValue());
            }
            System.out.printf("%s: %d items%n", t.name(), chosen.size());
            if (logSamples != null) {
                SampleLogWriter.write(logSamples, r);
            }
        }
    }
}
