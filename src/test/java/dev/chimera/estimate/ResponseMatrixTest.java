package dev.chimera.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResponseMatrixTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void readsCsvWithModelColumnAnywhereAndQuotes() throws IOException {
        Path p = write("r.csv", "q1,model,\"q,2\"\n1,\"org/model-a\",0\n0,\"b \"\"x\"\"\",1\n\n");
        ResponseMatrix m = ResponseMatrix.readCsv(p);
        assertEquals(2, m.models());
        assertEquals(List.of("q1", "q,2"), m.itemIds());
        assertEquals("org/model-a", m.model(0));
        assertEquals("b \"x\"", m.model(1));
        assertEquals(1, m.get(0, 0));
        assertEquals(0, m.get(0, 1));
        assertEquals(0.5, m.accuracy(0));
        assertEquals(0.5, m.itemMean(1));
    }

    @Test
    void roundTripsThroughCsv() throws IOException {
        ResponseMatrix m = ResponseMatrix.of(
                List.of("a", "b,c", "d"), List.of("i0", "i1", "i\"2"), new int[][] {{1, 0, 1}, {0, 0, 0}, {1, 1, 1}});
        Path p = dir.resolve("out.csv");
        m.writeCsv(p);
        ResponseMatrix r = ResponseMatrix.readCsv(p);
        assertEquals(m.modelNames(), r.modelNames());
        assertEquals(m.itemIds(), r.itemIds());
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(m.get(i, j), r.get(i, j));
            }
        }
        assertEquals(2.0 / 3, r.accuracy(0), 1e-12);
    }

    @Test
    void errorsNameFileLineAndColumn() throws IOException {
        Path bad = write("bad.csv", "model,a,b\nm1,1,0\nm2,1,2\n");
        EstimateException e = assertThrows(EstimateException.class, () -> ResponseMatrix.readCsv(bad));
        assertTrue(e.getMessage().contains("bad.csv:3: column 3 (item 'b'): value '2' is not 0 or 1"), e.getMessage());

        Path noModel = write("nomodel.csv", "name,a\nm1,1\n");
        e = assertThrows(EstimateException.class, () -> ResponseMatrix.readCsv(noModel));
        assertTrue(e.getMessage().contains("nomodel.csv:1: no 'model' column"), e.getMessage());

        Path dupItem = write("dup.csv", "model,a,a\nm1,1,0\n");
        e = assertThrows(EstimateException.class, () -> ResponseMatrix.readCsv(dupItem));
        assertTrue(e.getMessage().contains("dup.csv:1: column 3: duplicate item id 'a'"), e.getMessage());

        Path fields = write("fields.csv", "model,a,b\nm1,1\n");
        e = assertThrows(EstimateException.class, () -> ResponseMatrix.readCsv(fields));
        assertTrue(e.getMessage().contains("fields.csv:2: 2 fields, header has 3"), e.getMessage());

        Path dupModel = write("dupm.csv", "model,a\nm1,1\nm1,0\n");
        e = assertThrows(EstimateException.class, () -> ResponseMatrix.readCsv(dupModel));
        assertTrue(e.getMessage().contains("dupm.csv:3: column 1 (model): duplicate model 'm1'"), e.getMessage());

        Path quote = write("quote.csv", "model,a\n\"m1,1\n");
        e = assertThrows(EstimateException.class, () -> ResponseMatrix.readCsv(quote));
        assertTrue(e.getMessage().contains("quote.csv:2: column 1: unterminated quoted field"), e.getMessage());

        Path empty = write("empty.csv", "");
        e = assertThrows(EstimateException.class, () -> ResponseMatrix.readCsv(empty));
        assertTrue(e.getMessage().contains("empty.csv: empty file"), e.getMessage());

        Path rows = write("rows.csv", "model,a\n");
        e = assertThrows(EstimateException.class, () -> ResponseMatrix.readCsv(rows));
        assertTrue(e.getMessage().contains("rows.csv: no model rows"), e.getMessage());
    }

    @Test
    void inMemoryChecks() {
        assertThrows(EstimateException.class, () -> ResponseMatrix.of(new int[][] {{0, 2}}));
        assertThrows(EstimateException.class, () -> ResponseMatrix.of(new int[][] {{0, 1}, {1}}));
        assertThrows(
                EstimateException.class,
                () -> ResponseMatrix.of(List.of("a", "a"), List.of("x"), new int[][] {{0}, {1}}));
        ResponseMatrix m = ResponseMatrix.of(new int[][] {{1, 1, 0, 0}, {1, 0, 0, 0}});
        assertEquals(0.5, m.accuracy(0));
        assertEquals(0.25, m.accuracy(1));
        assertEquals(1, m.modelIndex("m1"));
        assertEquals(-1, m.modelIndex("zz"));
        assertEquals("m1", m.selectModels(new int[] {1}).model(0));
    }
}
