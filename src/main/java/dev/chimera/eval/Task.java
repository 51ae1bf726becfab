package dev.chimera.eval;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A task file (see {@link TaskLoader}). {@code prompt} fills {@code {question}}; {@code continuation} fills
 * {@code {choice}} (multiple choice: the scored text) or {@code {answer}} (generation: the few-shot target).
 *
 * @param fewshotData null when {@code fewshot} is 0
 * @param language ISO 639-1 code of the expected answer language, or null for no language check
 * @param harness the lm-eval task file's rules when the file is one (items then hold lm-eval's whole contexts), else
 *     null
 */
public record Task(
        String name,
        Type type,
        Path data,
        Format format,
        String prompt,
        String continuation,
        int fewshot,
        Path fewshotData,
        String fewshotSeparator,
        String language,
        String metric,
        int maxNewTokens,
        List<String> stop,
        Path source,
        HarnessTask harness) {

    public enum Type {
        MULTIPLE_CHOICE,
        GENERATION,
        /** lm-eval's loglikelihood: one continuation per item, right when every token is the greedy one. */
        LOGLIKELIHOOD
    }

    public enum Format {
        JSONL,
        MGSM_TSV,
        GSM8K_JSONL,
        /** An lm-evaluation-harness task or group file ({@link #harness}). */
        LM_EVAL
    }

    public static final String DEFAULT_PROMPT = "Question: {question}\nAnswer:";
    public static final String DEFAULT_CHOICE = " {choice}";
    public static final String DEFAULT_ANSWER = " {answer}";

    public Task {
        stop = List.copyOf(stop);
    }

    /** The prompt for one question. */
    public String promptFor(String question) {
        return harness != null ? question : prompt.replace("{question}", question);
    }

    /** The scored continuation of a choice (lm-eval tasks: the item's target delimiter, then the choice). */
    public String continuationFor(Item item, String choice) {
        if (harness == null) {
            return continuation.replace("{choice}", choice);
        }
        if (type == Type.LOGLIKELIHOOD || harness.chat()) {
            return choice; // lm-eval: no target delimiter after a chat template's generation prompt
        }
        return harness.spec(item.id()).targetDelimiter() + choice;
    }

    /**
     * This lm-eval task with its contexts rendered through a chat template (see
     * {@link HarnessTask#withChatTemplate}); Chimera's own task format has no chat form.
     */
    public Task withChatTemplate(
            ChatTemplate template, boolean fewshotAsMultiturn, String systemInstruction, Map<String, ?> args) {
        if (harness == null) {
            throw new EvalException("task " + name + " (" + source + ") is in Chimera's format: chat templates apply to"
                    + " lm-eval task files");
        }
        return new Task(
                name,
                type,
                data,
                format,
                prompt,
                continuation,
                fewshot,
                fewshotData,
                fewshotSeparator,
                language,
                metric,
                maxNewTokens,
                stop,
                source,
                harness.withChatTemplate(template, fewshotAsMultiturn, systemInstruction, args));
    }
}
