package dev.chimera.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskLoaderTest {
    @TempDir
    Path dir;

    Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    static void contains(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + p + "' not in: " + e.getMessage());
        }
    }

    @Test
    void yamlMultipleChoiceWithDefaults() throws IOException {
        write(
                "mc.jsonl",
                "{\"id\": \"a\", \"question\": \"2+2?\", \"choices\": [\"3\", \"4\"], \"answer\": 1}\n\n"
                        + "{\"id\": 7, \"question\": \"Sky?\", \"choices\": [\"blue\", \"green\", \"red\"], \"answer\": 0}\n");
        Task t = TaskLoader.load(write("t.yaml", "name: toy\ntype: multiple_choice\ndata: mc.jsonl\n"));
        assertEquals(Task.Type.MULTIPLE_CHOICE, t.type());
        assertEquals("Question: {question}\nAnswer:", t.prompt());
        assertEquals(" {choice}", t.continuation());
        assertEquals("acc", t.metric());
        assertEquals(0, t.fewshot());
        List<Item> items = TaskLoader.items(t);
        assertEquals(
                List.of(
                        new Item.Choice("a", "2+2?", List.of("3", "4"), 1),
                        new Item.Choice("7", "Sky?", List.of("blue", "green", "red"), 0)),
                items);
    }

    @Test
    void hoconGenerationTask() throws IOException {
        write(
                "g.jsonl",
                "{\"question\": \"How many?\", \"answer\": \"3 + 4 = 7\\n#### 1,007\"}\n"
                        + "{\"id\": \"x\", \"question\": \"Cost?\", \"answer\": 2.5}\n");
        write("shots.tsv", "Q one\t12\nQ two\t-3\n");
        Task t = TaskLoader.load(write(
                "t.conf",
                "name = gen\ntype = generation\ndata = g.jsonl\n"
                        + "format = gsm8k_jsonl\nlanguage = EN\nfewshot = 1\nfewshot_data = g.jsonl\n"
                        + "max_new_tokens = 64\nstop = [\"\\n\\n\", \"Question:\"]\n"));
        assertEquals("en", t.language());
        assertEquals(64, t.maxNewTokens());
        assertEquals(List.of("\n\n", "Question:"), t.stop());
        List<Item> items = TaskLoader.items(t);
        Item.Generation first = (Item.Generation) items.get(0);
        assertEquals("1", first.id());
        assertEquals(0, first.answer().compareTo(new BigDecimal(1007)));
        assertEquals("3 + 4 = 7\n#### 1,007", first.target());
        assertEquals(0, ((Item.Generation) items.get(1)).answer().compareTo(new BigDecimal("2.5")));
        assertEquals(1, TaskLoader.fewshotItems(t).size());
        List<Item> mgsm = TaskLoader.read(dir.resolve("shots.tsv"), Task.Type.GENERATION, Task.Format.MGSM_TSV);
        assertEquals(new Item.Generation("2", "Q two", new BigDecimal("-3"), "-3"), mgsm.get(1));
    }

    @Test
    void badTaskFiles() throws IOException {
        contains(assertThrows(EvalException.class, () -> TaskLoader.load(write("e.yaml", ""))), "e.yaml", "empty");
        contains(assertThrows(EvalException.class, () -> TaskLoader.load(write("e2.conf", ""))), "e2.conf", "empty");
        contains(
                assertThrows(
                        EvalException.class,
                        () -> TaskLoader.load(write("u.yaml", "name: a\ntype: generation\ndata: d\npromt: x\n"))),
                "unknown key 'promt'");
        contains(
                assertThrows(
                        EvalException.class,
                        () -> TaskLoader.load(write("ty.yaml", "name: a\ntype: ranking\ndata: d\n"))),
                "type must be");
        contains(
                assertThrows(
                        EvalException.class,
                        () -> TaskLoader.load(
                                write("m.yaml", "name: a\ntype: multiple_choice\ndata: d\nmetric: exact_match\n"))),
                "metric");
        contains(
                assertThrows(
                        EvalException.class,
                        () -> TaskLoader.load(write("f.yaml", "name: a\ntype: generation\ndata: d\nfewshot: 3\n"))),
                "fewshot_data");
        contains(
                assertThrows(EvalException.class, () -> TaskLoader.load(write("n.yaml", "type: generation\n"))),
                "missing 'name'");
    }

    @Test
    void badDataNamesFileLineAndItem() throws IOException {
        Path bad =
                write("bad.jsonl", "{\"id\": \"a\", \"question\": \"q\", \"answer\": 1}\n{\"id\": \"b\", \"question\n");
        contains(
                assertThrows(EvalException.class, () -> TaskLoader.read(bad, Task.Type.GENERATION, Task.Format.JSONL)),
                "bad.jsonl line 2",
                "malformed");
        Path nan = write("nan.jsonl", "{\"id\": \"q17\", \"question\": \"q\", \"answer\": \"many #### lots\"}\n");
        contains(
                assertThrows(EvalException.class, () -> TaskLoader.read(nan, Task.Type.GENERATION, Task.Format.JSONL)),
                "nan.jsonl line 1",
                "q17",
                "not a number");
        Path tsv = write("bad.tsv", "q\t1\nno tab here\n");
        contains(
                assertThrows(
                        EvalException.class, () -> TaskLoader.read(tsv, Task.Type.GENERATION, Task.Format.MGSM_TSV)),
                "bad.tsv line 2");
        Path tsvNan = write("nan.tsv", "q\t1\nq2\tzwei\n");
        contains(
                assertThrows(
                        EvalException.class, () -> TaskLoader.read(tsvNan, Task.Type.GENERATION, Task.Format.MGSM_TSV)),
                "item 2",
                "'zwei'");
        Path mc = write(
                "mc.jsonl", "{\"id\": \"m1\", \"question\": \"q\", \"choices\": [\"a\", \"b\"], \"answer\": 2}\n");
        contains(
                assertThrows(
                        EvalException.class, () -> TaskLoader.read(mc, Task.Type.MULTIPLE_CHOICE, Task.Format.JSONL)),
                "m1",
                "outside");
        Path empty = write("empty.jsonl", "\n\n");
        contains(
                assertThrows(
                        EvalException.class, () -> TaskLoader.read(empty, Task.Type.GENERATION, Task.Format.JSONL)),
                "empty.jsonl",
                "no items");
        Path dup = write(
                "dup.jsonl",
                "{\"id\": 1, \"question\": \"q\", \"answer\": 1}\n{\"id\": 1, \"question\": \"q\", \"answer\": 1}\n");
        contains(
                assertThrows(EvalException.class, () -> TaskLoader.read(dup, Task.Type.GENERATION, Task.Format.JSONL)),
                "line 2",
                "duplicate id");
    }

    @Test
    void realSharedData() {
        Path mgsm = Path.of("../shared/data/mgsm/mgsm_ja.tsv");
        Path gsm = Path.of("../shared/data/gsm8k/test.jsonl");
        assumeTrue(Files.isRegularFile(mgsm) && Files.isRegularFile(gsm), "shared data absent");
        assertEquals(
                250,
                TaskLoader.read(mgsm, Task.Type.GENERATION, Task.Format.MGSM_TSV)
                        .size());
        List<Item> g = TaskLoader.read(gsm, Task.Type.GENERATION, Task.Format.GSM8K_JSONL);
        assertEquals(1319, g.size());
    }
}
