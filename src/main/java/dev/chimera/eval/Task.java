package dev.chimera.eval;

import java.nio.file.Path;
import java.util.List;

/**
 * A task file (see {@link TaskLoader}). {@code prompt} fills {@code {question}}; {@code continuation} fills
 * {@code {choice}} (multiple choice: the scored text) or {@code {answer}} (generation: the few-shot target).
 *
 * @param fewshotData null when {@code fewshot} is 0
 * @param language ISO 639-1 code of the expected answer language, or null for no language check
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
        Path source) {

    public enum Type {
        MULTIPLE_CHOICE,
        GENERATION
    }

    public enum Format {
        JSONL,
        MGSM_TSV,
        GSM8K_JSONL
    }

    public static final String DEFAULT_PROMPT = "Question: {question}\nAnswer:";
    public static final String DEFAULT_CHOICE = " {choice}";
    public static final String DEFAULT_ANSWER = " {answer}";

    public Task {
        stop = List.copyOf(stop);
    }

    /** The prompt for one question. */
    public String promptFor(String question) {
        return prompt.replace("{question}", question);
    }
}
