package dev.chimera.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chimera.eval.HarnessTask;
import dev.chimera.eval.Task;
import dev.chimera.eval.TaskLoader;
import dev.chimera.tensor.DType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lm-eval task files scored by {@code chimera eval} and by lm-evaluation-harness itself (HF backend, float32, CPU,
 * batch 1) on the same tiny random Llama with a word-level tokenizer over the fixtures' words: the ARC-style task with
 * 3 random shots, the HellaSwag-style one, GSM8K (strict-match and flexible-extract), the MMLU-style group (first_n
 * shots and a description), MGSM native CoT (Japanese, 2 shots) and a LAMBADA-style loglikelihood task. Per document:
 * the same prompt (byte for byte), log-likelihoods within 1e-4, the same greedy output, the same filtered answers
 * under every filter and the same verdict under every metric. Runs when CHIMERA_LMEVAL_PYTHON names a Python with
 * lm_eval, transformers and datasets.
 */
class LmEvalTaskAgreementTest {
    static final Path DIR =
            Path.of("src/test/resources/dev/chimera/eval/harness").toAbsolutePath();
    static final Map<String, List<String>> FILES = Map.of(
            "arc_challenge.yaml", List.of("arc_challenge"),
            "hellaswag_local.yaml", List.of("hellaswag_local"),
            "gsm8k_local.yaml", List.of("gsm8k_local"),
            "mmlu_local.yaml", List.of("mmlu_local_anatomy", "mmlu_local_astronomy"),
            "mgsm_native_cot_ja_local.yaml", List.of("mgsm_native_cot_ja_local"),
            "lambada_local.yaml", List.of("lambada_local"));
    // the HF tokenizers Whitespace pre-tokenizer's pattern
    static final Pattern WORD = Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);

    /** Every token of the fixtures (data and task files), after [UNK], <s>, </s>. */
    static List<String> vocabulary() throws Exception {
        Set<String> words = new LinkedHashSet<>(List.of("[UNK]", "<s>", "</s>"));
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".jsonl") || name.endsWith(".yaml") || name.endsWith("_yaml")) {
                    Matcher m = WORD.matcher(Files.readString(p));
                    while (m.find()) {
                        words.add(m.group());
                    }
                }
            }
        }
        words.removeIf(w -> w.contains("\"") || w.contains("\\"));
        return new ArrayList<>(words);
    }

    /** Counts of one comparison. */
    record Agreement(int docs, double maxDiff, int nonTrivial) {}

    /**
     * The tiny model: a Llama over the fixtures' words, [UNK] <s> </s> special, and (when {@code chat}) a chat
     * template that starts with the BOS text plus a post-processor that adds BOS, so a prompt that already starts
     * with it must not get a second one (lm-eval's has_bos_prefix rule).
     */
    static Path tinyModel(Path dir, boolean chat) throws Exception {
        List<String> words = vocabulary();
        String config = """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 32,
                 "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                 "vocab_size": %d, "max_position_embeddings": 1024, "rms_norm_eps": 1e-5, "hidden_act": "silu",
                 "bos_token_id": 1, "eos_token_id": 2, "tie_word_embeddings": false, "torch_dtype": "float32"}
                """.formatted(words.size());
        Path model = TinyModels.write(
                dir.resolve(chat ? "chat-model" : "model"), new TinyModels.Spec("llama-1024", config, DType.F32), 18);
        TinyModels.writeWordTokenizer(model, words);
        Path tok = model.resolve("tokenizer.json");
        String added = "\"added_tokens\": ["
                + String.join(
                        ", ",
                        List.of(0, 1, 2).stream()
                                .map(
                                        i -> "{\"id\": " + i + ", \"content\": \"" + words.get(i)
                                                + "\", \"single_word\": false,"
                                                + " \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}")
                                .toList())
                + "]";
        String json = Files.readString(tok).replace("\"added_tokens\": []", added);
        if (chat) {
            json = json.replace("\"post_processor\": null", """
                    "post_processor": {"type": "TemplateProcessing",
                     "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                     "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                              {"Sequence": {"id": "B", "type_id": 1}}],
                     "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}}""");
            String template =
                    "{{ bos_token }}{% for m in messages %}{{ m['role'] | upper }} : {{ m['content'] | trim }}"
                            + "{% if not loop.last %} </s> {% endif %}{% endfor %}"
                            + "{% if add_generation_prompt %} ASSISTANT :{% endif %}";
            Files.writeString(
                    model.resolve("tokenizer_config.json"),
                    PythonRef.MAPPER.writeValueAsString(Map.of(
                            "bos_token", "<s>", "eos_token", "</s>", "unk_token", "[UNK]", "chat_template", template)));
        }
        Files.writeString(tok, json);
        return model;
    }

    /** lm-eval on the files' tasks with its flags, then chimera eval with the same options, compared per document. */
    static Agreement compare(
            String python,
            Path dir,
            Path model,
            Map<String, List<String>> files,
            List<String> lmEvalFlags,
            List<String> chimeraFlags)
            throws Exception {
        List<String> tasks = new ArrayList<>();
        files.values().forEach(tasks::addAll);
        List<String> cmd = new ArrayList<>(LmEvalHarnessTest.offline(dir));
        cmd.addAll(1, List.of("-C", DIR.toString()));
        cmd.addAll(List.of(python, DIR.resolve("lmeval_run.py").toString(), model.toString()));
        cmd.addAll(tasks);
        cmd.addAll(lmEvalFlags);
        JsonNode ref = PythonRef.run(cmd, Map.of()).get("tasks");
        int docs = 0;
        double maxDiff = 0;
        int nonTrivial = 0;
        for (Map.Entry<String, List<String>> f : files.entrySet()) {
            Path log = dir.resolve(f.getKey() + "." + model.getFileName() + ".samples.jsonl");
            List<String> args = new ArrayList<>(List.of(
                    "eval",
                    "--model",
                    model.toString(),
                    "--task",
                    DIR.resolve(f.getKey()).toString(),
                    "--log-samples",
                    log.toString()));
            args.addAll(chimeraFlags);
            String[] r = EvalCommandTest.run(args.toArray(String[]::new));
            assertEquals("0", r[0], r[2]);
            Task task = TaskLoader.load(DIR.resolve(f.getKey()));
            if (chimeraFlags.contains("--apply-chat-template")) {
                try (var tok = dev.chimera.eval.Tokenizer.load(model)) {
                    int at = chimeraFlags.indexOf("--system-instruction");
                    task = task.withChatTemplate(
                            dev.chimera.eval.ChatTemplate.of(tok),
                            !chimeraFlags.contains("--fewshot-as-multiturn=false"),
                            at >= 0 ? chimeraFlags.get(at + 1) : null,
                            Map.of());
                }
            }
            List<dev.chimera.eval.Item> items = TaskLoader.items(task);
            List<String> lines = Files.readAllLines(log);
            int line = 0;
            for (String name : f.getValue()) {
                JsonNode theirs = ref.get(name).get("docs");
                for (int d = 0; d < theirs.size(); d++, line++, docs++) {
                    JsonNode want = theirs.get(String.valueOf(d));
                    JsonNode mine = PythonRef.MAPPER.readTree(lines.get(line));
                    String where = name + " document " + d;
                    String id = mine.get("id").asText();
                    assertEquals(
                            want.get("context").asText(),
                            task.promptFor(items.get(line).question()),
                            where);
                    JsonNode filters = want.get("filters");
                    if (mine.has("loglik")) {
                        if (want.has("continuations")) {
                            dev.chimera.eval.Item.Choice c = (dev.chimera.eval.Item.Choice) items.get(line);
                            for (int k = 0; k < c.choices().size(); k++) {
                                assertEquals(
                                        want.get("continuations").get(k).asText(),
                                        task.continuationFor(c, c.choices().get(k)),
                                        where);
                            }
                        }
                        JsonNode resps = filters.get("none").get("resps");
                        for (int c = 0; c < resps.size(); c++) {
                            double d0 = Math.abs(resps.get(c).get(0).get(0).asDouble()
                                    - mine.get("loglik").get(c).asDouble());
                            maxDiff = Math.max(maxDiff, d0);
                            assertTrue(d0 < 1e-4, where + " choice " + c + ": " + d0);
                        }
                        JsonNode metrics = filters.get("none").get("metrics");
                        String primary =
                                task.harness().spec(id).metrics().get(0).name();
                        if (task.type() == Task.Type.LOGLIKELIHOOD) {
                            assertEquals(
                                    metrics.get("acc").asDouble() == 1.0,
                                    mine.get("correct").asBoolean(),
                                    where);
                        } else {
                            int gold = mine.get("gold").asInt();
                            assertEquals(
                                    metrics.get("acc").asDouble() == 1.0,
                                    mine.get("pred").asInt() == gold,
                                    where);
                            if (metrics.has("acc_norm")) {
                                assertEquals(
                                        metrics.get("acc_norm").asDouble() == 1.0,
                                        mine.get("pred_norm").asInt() == gold,
                                        where);
                            }
                            assertEquals(
                                    metrics.get(primary).asDouble() == 1.0,
                                    mine.get("correct").asBoolean(),
                                    where);
                        }
                    } else {
                        String output = mine.get("output").asText();
                        HarnessTask.Spec spec = task.harness().spec(id);
                        for (HarnessTask.Pipeline p : spec.filters()) {
                            JsonNode theirsF = filters.get(p.name());
                            assertEquals(theirsF.get("resps").get(0).get(0).asText(), output, where + " output");
                            String filtered = HarnessTask.filter(p, output);
                            assertEquals(theirsF.get("filtered").get(0).asText(), filtered, where + " " + p.name());
                            nonTrivial += filtered.equals("[invalid]") ? 0 : 1;
                            for (HarnessTask.Metric m : spec.metrics()) {
                                assertEquals(
                                        theirsF.get("metrics").get(m.name()).asDouble() == 1.0,
                                        HarnessTask.exactMatch(
                                                m, filtered, want.get("target").asText()),
                                        where + " " + m.name() + "," + p.name());
                            }
                        }
                        assertEquals(
                                filters.get(spec.filters().get(0).name())
                                                .get("metrics")
                                                .get(spec.metrics().get(0).name())
                                                .asDouble()
                                        == 1.0,
                                mine.get("correct").asBoolean(),
                                where);
                    }
                }
            }
            assertEquals(line, lines.size(), f.getKey());
        }
        return new Agreement(docs, maxDiff, nonTrivial);
    }

    static String python() {
        String python = System.getenv(LmEvalHarnessTest.ENV);
        Assumptions.assumeTrue(python != null && !python.isBlank(), LmEvalHarnessTest.ENV + " not set");
        Assumptions.assumeTrue(
                PythonRef.works(python, "import lm_eval, transformers, datasets"),
                python + " cannot import lm_eval, transformers and datasets");
        return python;
    }

    @Test
    void everyDocumentAgreesWithLmEval(@TempDir Path dir) throws Exception {
        String python = python();
        Agreement a = compare(python, dir, tinyModel(dir, false), FILES, List.of(), List.of());
        System.out.printf(
                "lm-eval task files vs chimera eval: %d documents, max |loglik diff| %.3g, %d filtered"
                        + " answers not [invalid]%n",
                a.docs(), a.maxDiff(), a.nonTrivial());
        assertTrue(a.nonTrivial() > 0, "every filtered answer was [invalid]: the generation comparison proves little");
    }

    /**
     * lm-eval's --apply_chat_template: few-shot examples as turns (ARC, GSM8K) and collapsed into one user message with
     * a system instruction joined to the description (the MMLU group, LAMBADA).
     */
    @Test
    void chatTemplatedPromptsAgreeWithLmEval(@TempDir Path dir) throws Exception {
        String python = python();
        Path model = tinyModel(dir, true);
        Agreement multiturn = compare(
                python,
                dir,
                model,
                Map.of("arc_challenge.yaml", List.of("arc_challenge"), "gsm8k_local.yaml", List.of("gsm8k_local")),
                List.of("--apply_chat_template"),
                List.of("--apply-chat-template"));
        Agreement single = compare(
                python,
                dir,
                model,
                Map.of(
                        "mmlu_local.yaml",
                        List.of("mmlu_local_anatomy", "mmlu_local_astronomy"),
                        "lambada_local.yaml",
                        List.of("lambada_local")),
                List.of(
                        "--apply_chat_template",
                        "--fewshot_as_multiturn=false",
                        "--system_instruction=Answer the question ."),
                List.of(
                        "--apply-chat-template",
                        "--fewshot-as-multiturn=false",
                        "--system-instruction",
                        "Answer the question ."));
        System.out.printf(
                "lm-eval --apply_chat_template vs chimera eval --apply-chat-template: %d + %d documents,"
                        + " max |loglik diff| %.3g%n",
                multiturn.docs(), single.docs(), Math.max(multiturn.maxDiff(), single.maxDiff()));
    }
}
