package dev.chimera.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * lm-eval task files read as lm-eval reads them: every document's context (description, few-shot examples drawn by
 * lm-eval's samplers, the document's text), every continuation and stop list and every target equal, byte for byte,
 * to what lm-evaluation-harness 0.4.13 itself built from the same files (harness/expected.json, written by
 * harness/lmeval_run.py with lm-eval's dummy model). The task files are lm-eval's own (ARC, GSM8K, MMLU with its
 * group, MGSM native CoT) with local data, plus HellaSwag-, LAMBADA-style and CSV / parquet variants.
 */
class HarnessTaskTest {
    static final Path DIR = Path.of("src/test/resources/dev/chimera/eval/harness");
    static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> files() {
        return Stream.of(
                Arguments.of("arc_easy.yaml", List.of("arc_easy")),
                Arguments.of("arc_challenge.yaml", List.of("arc_challenge")),
                Arguments.of("hellaswag_local.yaml", List.of("hellaswag_local")),
                Arguments.of("gsm8k_local.yaml", List.of("gsm8k_local")),
                Arguments.of("mmlu_local.yaml", List.of("mmlu_local_anatomy", "mmlu_local_astronomy")),
                Arguments.of("lambada_local.yaml", List.of("lambada_local")),
                Arguments.of("mgsm_native_cot_ja_local.yaml", List.of("mgsm_native_cot_ja_local")),
                Arguments.of("flat_jsonl.yaml", List.of("flat_jsonl")),
                Arguments.of("flat_csv.yaml", List.of("flat_csv")),
                Arguments.of("flat_parquet.yaml", List.of("flat_parquet")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("files")
    void promptsAndTargetsAreLmEvals(String file, List<String> tasks) throws Exception {
        JsonNode expected = JSON.readTree(DIR.resolve("expected.json").toFile()).get("tasks");
        Task task = TaskLoader.load(DIR.resolve(file));
        assertEquals(Task.Format.LM_EVAL, task.format());
        List<Item> items = TaskLoader.items(task);
        int n = 0;
        for (String name : tasks) {
            JsonNode docs = expected.get(name).get("docs");
            for (int d = 0; d < docs.size(); d++) {
                JsonNode want = docs.get(String.valueOf(d));
                Item item = items.get(n++);
                String where = name + " document " + d;
                assertEquals(tasks.size() > 1 ? name + "/" + d : String.valueOf(d), item.id(), where);
                assertEquals(want.get("context").asText(), task.promptFor(item.question()), where);
                if (want.has("continuations")) {
                    Item.Choice c = assertInstanceOf(Item.Choice.class, item, where);
                    List<String> conts = new ArrayList<>();
                    c.choices().forEach(ch -> conts.add(task.continuationFor(c, ch)));
                    List<String> wantConts = new ArrayList<>();
                    want.get("continuations").forEach(x -> wantConts.add(x.asText()));
                    assertEquals(wantConts, conts, where);
                    if (task.type() == Task.Type.MULTIPLE_CHOICE) {
                        JsonNode t = want.get("target");
                        int gold = t.isInt() ? t.asInt() : c.choices().indexOf(t.asText());
                        assertEquals(gold, c.answer(), where);
                    }
                } else {
                    Item.Text t = assertInstanceOf(Item.Text.class, item, where);
                    assertEquals(want.get("target").asText(), t.target(), where);
                    List<String> until = new ArrayList<>();
                    want.get("until").forEach(x -> until.add(x.asText()));
                    assertEquals(until, task.harness().spec(item.id()).until(), where);
                }
            }
        }
        assertEquals(n, items.size());
    }

    @Test
    void typesAndMetricsFollowTheFile() {
        Task gsm = TaskLoader.load(DIR.resolve("gsm8k_local.yaml"));
        assertEquals(Task.Type.GENERATION, gsm.type());
        assertEquals("exact_match,strict-match", gsm.metric());
        assertEquals(16, gsm.maxNewTokens());
        Task mmlu = TaskLoader.load(DIR.resolve("mmlu_local.yaml"));
        assertEquals("mmlu_local", mmlu.name());
        assertEquals("acc,none", mmlu.metric());
        assertEquals(2, mmlu.harness().specs().size());
        Task lambada = TaskLoader.load(DIR.resolve("lambada_local.yaml"));
        assertEquals(Task.Type.LOGLIKELIHOOD, lambada.type());
        assertEquals("perplexity,none", lambada.metric());
    }

    @Test
    void csvAndParquetGiveTheJsonlDocuments() {
        List<Item> jsonl = TaskLoader.items(TaskLoader.load(DIR.resolve("flat_jsonl.yaml")));
        assertEquals(jsonl, TaskLoader.items(TaskLoader.load(DIR.resolve("flat_csv.yaml"))));
        assertEquals(jsonl, TaskLoader.items(TaskLoader.load(DIR.resolve("flat_parquet.yaml"))));
    }

    @Test
    void pythonFunctionsAreRefusedWithKeyAndLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("hs.yaml");
        Files.writeString(f, """
                task: hs
                dataset_path: json
                process_docs: !function utils.process_docs
                doc_to_text: "{{query}}"
                metric_list:
                  - metric: !function utils.my_metric
                """);
        EvalException e = assertThrows(EvalException.class, () -> TaskLoader.load(f));
        assertTrue(
                e.getMessage().contains("key 'process_docs' on line 3 (!function utils.process_docs)"), e.getMessage());
        assertTrue(e.getMessage().contains("key 'metric' on line 6 (!function utils.my_metric)"), e.getMessage());
    }

    @Test
    void hubDatasetsAreRefusedNamingTheFilesNeeded(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("arc.yaml");
        Files.writeString(f, """
                task: arc
                dataset_path: allenai/ai2_arc
                dataset_name: ARC-Challenge
                output_type: multiple_choice
                training_split: train
                test_split: test
                num_fewshot: 5
                doc_to_text: "Question: {{question}}\\nAnswer:"
                doc_to_target: "{{choices.label.index(answerKey)}}"
                doc_to_choice: "{{choices.text}}"
                """);
        EvalException e = assertThrows(EvalException.class, () -> TaskLoader.load(f));
        assertTrue(
                e.getMessage().contains("allenai/ai2_arc (dataset_name ARC-Challenge) is a Hugging Face hub dataset"),
                e.getMessage());
        assertTrue(e.getMessage().contains("the split(s) test, train"), e.getMessage());
        // the same file with local data works
        Path data = Files.createDirectories(dir.resolve("allenai/ai2_arc/ARC-Challenge"));
        String doc = "{\"question\": \"q\", \"choices\": {\"text\": [\"a\", \"b\"], \"label\": [\"A\", \"B\"]},"
                + " \"answerKey\": \"B\"}\n";
        Files.writeString(data.resolve("test.jsonl"), doc);
        Files.writeString(data.resolve("train-00000-of-00001.jsonl"), doc.repeat(6));
        List<Item> items = TaskLoader.items(TaskLoader.load(f));
        assertEquals(1, items.size());
        assertEquals(1, ((Item.Choice) items.get(0)).answer());
    }

    @Test
    void badFilesAreNamed(@TempDir Path dir) throws Exception {
        Map<String, String> cases = Map.of(
                "unknown key 'doc_to_txt'", "task: t\ndataset_path: json\ndoc_to_txt: x\n",
                "metric 'bleu' is not supported",
                        "task: t\ndataset_path: json\ndoc_to_text: x\n" + "metric_list:\n  - metric: bleu\n",
                "do_sample: true is not supported",
                        "task: t\ndataset_path: json\ndoc_to_text: x\n" + "generation_kwargs:\n  do_sample: true\n",
                "output_type 'loglikelihood_rolling' is not supported",
                        "task: t\ndataset_path: json\ndoc_to_text: x\n" + "output_type: loglikelihood_rolling\n",
                "include cycle", "include: me.yaml\ntask: t\n");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            Path f = dir.resolve("me.yaml");
            Files.writeString(f, c.getValue());
            EvalException e = assertThrows(EvalException.class, () -> TaskLoader.load(f), c.getKey());
            assertTrue(e.getMessage().contains(c.getKey()), e.getMessage());
            assertTrue(e.getMessage().contains(f.toAbsolutePath().toString()), e.getMessage());
        }
    }

    @Test
    void chatTemplatesAsLmEvalBuildsTheMessages(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("d.jsonl"), """
                {"q": "2+2?", "a": "4"}
                {"q": "3+3?", "a": "6"}
                """);
        Path f = dir.resolve("t.yaml");
        Files.writeString(f, """
                task: t
                dataset_path: json
                dataset_kwargs: {data_files: {test: d.jsonl}}
                test_split: test
                fewshot_split: test
                fewshot_config: {sampler: first_n}
                num_fewshot: 1
                description: "Sums."
                output_type: multiple_choice
                doc_to_text: "Q: {{q}}"
                doc_to_choice: ["4", "6"]
                doc_to_target: "{{ ['4', '6'].index(a) }}"
                """);
        Task task = TaskLoader.load(f);
        ChatTemplate tpl = new ChatTemplate(
                "{% for m in messages %}[{{ m.role }}]{{ m.content }}{% endfor %}"
                        + "{% if add_generation_prompt %}[assistant]{% endif %}",
                Map.of());
        // worked by hand from lm-eval's fewshot_context: description as the system message; the first_n sampler on
        // the test split itself leaves the evaluated document out, so document 0 gets document 1 as its example
        Task multi = task.withChatTemplate(tpl, true, null, Map.of());
        Item first = TaskLoader.items(multi).get(0);
        assertEquals("[system]Sums.[user]Q: 3+3?[assistant]6[user]Q: 2+2?[assistant]", first.question());
        Item.Choice c = (Item.Choice) first;
        assertEquals("4", multi.continuationFor(c, "4"), "no target delimiter after a chat template");
        Task single = task.withChatTemplate(tpl, false, "Be exact.", Map.of());
        assertEquals(
                "[system]Be exact.\n\nSums.[user]Q: 3+3? 6\n\nQ: 2+2?[assistant]",
                TaskLoader.items(single).get(0).question());
        assertEquals("Sums.Q: 3+3? 6\n\nQ: 2+2?", TaskLoader.items(task).get(0).question());
        // a template that refuses a system message gets the conversation without it, as lm-eval retries
        ChatTemplate noSystem = new ChatTemplate(
                "{% if messages[0].role == 'system' %}{{ raise_exception('no system') }}{% endif %}"
                        + "{% for m in messages %}<{{ m.content }}>{% endfor %}",
                Map.of());
        assertEquals(
                "<Q: 3+3?><6><Q: 2+2?>",
                TaskLoader.items(task.withChatTemplate(noSystem, true, null, Map.of()))
                        .get(0)
                        .question());
        EvalException own = assertThrows(
                EvalException.class,
                () -> TaskLoader.load(DIR.resolve("../harness/flat_jsonl.yaml"))
                        .withChatTemplate(tpl, true, null, Map.of())
                        .withChatTemplate(tpl, true, null, Map.of()));
        assertTrue(own.getMessage().contains("already went through a chat template"), own.getMessage());
    }

    @Test
    void filtersAndExactMatchAsLmEval() {
        // worked by hand from lm-eval's RegexFilter (re.findall, group_select, first non-empty group, strip)
        HarnessTask.Pipeline strict = new HarnessTask.Pipeline(
                "strict-match",
                List.of(
                        step("{\"function\": \"regex\", \"regex_pattern\": \"#### (\\\\-?[0-9\\\\.\\\\,]+)\"}"),
                        step("{\"function\": \"take_first\"}")));
        HarnessTask.Pipeline flexible = new HarnessTask.Pipeline(
                "flexible-extract",
                List.of(step("{\"function\": \"regex\", \"group_select\": -1,"
                        + " \"regex_pattern\": \"(-?[$0-9.,]{2,})|(-?[0-9]+)\"}")));
        assertEquals("1,234", HarnessTask.filter(strict, "so #### 1,234 apples"));
        assertEquals("[invalid]", HarnessTask.filter(strict, "the answer is 7"));
        assertEquals("7", HarnessTask.filter(flexible, "3 apples then 12 then 7"));
        assertEquals("$12.", HarnessTask.filter(flexible, "it costs $12. ok"));
        HarnessTask.Pipeline lower = new HarnessTask.Pipeline(
                "l", List.of(step("{\"function\": \"remove_whitespace\"}"), step("{\"function\": \"lowercase\"}")));
        assertEquals("yes it is", HarnessTask.filter(lower, "  Yes It IS \n"));
        // gsm8k's exact_match: regexes removed from both sides, case ignored
        HarnessTask.Metric em =
                new HarnessTask.Metric("exact_match", true, false, false, List.of(",", "\\$", "(?s).*#### ", "\\.$"));
        assertTrue(HarnessTask.exactMatch(em, "1,234", "Tom has ... apples.\n#### 1234"));
        assertTrue(HarnessTask.exactMatch(em, "$12.", "#### 12"));
        assertTrue(!HarnessTask.exactMatch(em, "[invalid]", "#### 12"));
        HarnessTask.Metric punct = new HarnessTask.Metric("exact_match", true, true, false, List.of());
        assertTrue(HarnessTask.exactMatch(punct, "Hello, World!", "hello world"));
    }

    private static com.fasterxml.jackson.databind.JsonNode step(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
