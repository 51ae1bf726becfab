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

    @Test
    void everyDocumentAgreesWithLmEval(@TempDir Path dir) throws Exception {
        String python = System.getenv(LmEvalHarnessTest.ENV);
        Assumptions.assumeTrue(python != null && !python.isBlank(), LmEvalHarnessTest.ENV + " not set");
        Assumptions.assumeTrue(
                PythonRef.works(python, "import lm_eval, transformers, datasets"),
                python + " cannot import lm_eval, transformers and datasets");
        List<String> words = vocabulary();
        String config = """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 32,
                 "intermediate_size": 48, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                 "vocab_size": %d, "max_position_embeddings": 512, "rms_norm_eps": 1e-5, "hidden_act": "silu",
                 "bos_token_id": 1, "eos_token_id": 2, "tie_word_embeddings": false, "torch_dtype": "float32"}
                """.formatted(words.size());
        Path model = TinyModels.write(dir.resolve("model"), new TinyModels.Spec("llama-512", config, DType.F32), 18);
        TinyModels.writeWordTokenizer(model, words);
        // mark [UNK], <s>, </s> as special added tokens, as real tokenizers do (the eos id is then found by its text)
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
        Files.writeString(tok, Files.readString(tok).replace("\"added_tokens\": []", added));

        List<String> tasks = new ArrayList<>();
        FILES.values().forEach(tasks::addAll);
        List<String> cmd = new ArrayList<>(LmEvalHarnessTest.offline(dir));
        cmd.addAll(1, List.of("-C", DIR.toString()));
        cmd.addAll(List.of(python, DIR.resolve("lmeval_run.py").toString(), model.toString()));
        cmd.addAll(tasks);
        JsonNode ref = PythonRef.run(cmd, Map.of()).get("tasks");

        int docs = 0;
        double maxDiff = 0;
        int nonTrivial = 0;
        for (Map.Entry<String, List<String>> f : FILES.entrySet()) {
            Path log = dir.resolve(f.getKey() + ".samples.jsonl");
            String[] r = EvalCommandTest.run(
                    "eval",
                    "--model",
                    model.toString(),
                    "--task",
                    DIR.resolve(f.getKey()).toString(),
                    "--log-samples",
                    log.toString());
            assertEquals("0", r[0], r[2]);
            Task task = TaskLoader.load(DIR.resolve(f.getKey()));
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
                            task.promptFor(TaskLoader.items(task).get(line).question()),
                            where);
                    JsonNode filters = want.get("filters");
                    if (mine.has("loglik")) {
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
        System.out.printf(
                "lm-eval task files vs chimera eval: %d documents, max |loglik diff| %.3g, %d filtered answers"
                        + " not [invalid]%n",
                docs, maxDiff, nonTrivial);
        assertTrue(nonTrivial > 0, "every filtered answer was [invalid]: the generation comparison proves little");
    }
}
