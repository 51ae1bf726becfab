package dev.chimera.estimate;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Models x items matrix of 0/1 correctness (immutable). Row i is model {@code model(i)}, column j is item
 * {@code item(j)}.
 *
 * <p>CSV form: a header with a {@code model} column (anywhere) and one column per item id, then one row per model
 * with 0 or 1 in every item column. Fields may be double-quoted (RFC 4180 style, {@code ""} for a quote inside a
 * quoted field; no line breaks inside fields). Errors name the file, the 1-based line and the column.
 */
public final class ResponseMatrix {
    private final List<String> models;
    private final List<String> items;
    private final byte[][] y;
    private final Map<String, Integer> modelIndex;

    private ResponseMatrix(List<String> models, List<String> items, byte[][] y) {
        this.models = List.copyOf(models);
        this.items = List.copyOf(items);
        this.y = y;
        this.modelIndex = new HashMap<>();
        for (int i = 0; i < models.size(); i++) {
            if (modelIndex.put(models.get(i), i) != null) {
                throw new EstimateException("duplicate model name '" + models.get(i) + "'");
            }
        }
        Set<String> seen = new HashSet<>();
        for (String item : items) {
            if (!seen.add(item)) {
                throw new EstimateException("duplicate item id '" + item + "'");
            }
        }
    }

    /** Builds a matrix from 0/1 values {@code values[model][item]} (copied). */
    public static ResponseMatrix of(List<String> models, List<String> items, int[][] values) {
        if (values.length != models.size()) {
            throw new EstimateException("values have " + values.length + " rows for " + models.size() + " models");
        }
        byte[][] y = new byte[values.length][];
        for (int i = 0; i < values.length; i++) {
            if (values[i].length != items.size()) {
                throw new EstimateException("row of model '" + models.get(i) + "' has " + values[i].length
                        + " values for " + items.size() + " items");
            }
            y[i] = new byte[items.size()];
            for (int j = 0; j < items.size(); j++) {
                int v = values[i][j];
                if (v != 0 && v != 1) {
                    throw new EstimateException("value " + v + " for model '" + models.get(i) + "', item '"
                            + items.get(j) + "' is not 0 or 1");
                }
                y[i][j] = (byte) v;
            }
        }
        return new ResponseMatrix(models, items, y);
    }

    /** Builds a matrix with generated names {@code m0..} and {@code i0..}. */
    public static ResponseMatrix of(int[][] values) {
        List<String> ms = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            ms.add("m" + i);
        }
        List<String> is = new ArrayList<>();
        int n = values.length == 0 ? 0 : values[0].length;
        for (int j = 0; j < n; j++) {
            is.add("i" + j);
        }
        return of(ms, is, values);
    }

    /** Reads the CSV form described in the class comment. */
    public static ResponseMatrix readCsv(Path file) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null) {
                throw new EstimateException(file + ": empty file (expected a header with a 'model' column)");
            }
            if (header.startsWith("\uFEFF")) {
                header = header.substring(1);
            }
            List<String> cols = splitCsv(header, file, 1);
            int modelCol = -1;
            List<String> itemIds = new ArrayList<>();
            List<Integer> itemCols = new ArrayList<>();
            Set<String> seenIds = new HashSet<>();
            for (int c = 0; c < cols.size(); c++) {
                String name = cols.get(c).trim();
                if (name.equals("model")) {
                    if (modelCol >= 0) {
                        throw new EstimateException(file + ":1: column " + (c + 1) + ": second 'model' column");
                    }
                    modelCol = c;
                } else {
                    if (name.isEmpty()) {
                        throw new EstimateException(file + ":1: column " + (c + 1) + ": empty item id");
                    }
                    if (!seenIds.add(name)) {
                        throw new EstimateException(
                                file + ":1: column " + (c + 1) + ": duplicate item id '" + name + "'");
                    }
                    itemIds.add(name);
                    itemCols.add(c);
                }
            }
            if (modelCol < 0) {
                throw new EstimateException(file + ":1: no 'model' column in the header");
            }
            if (itemIds.isEmpty()) {
                throw new EstimateException(file + ":1: no item columns in the header");
            }
            List<String> modelNames = new ArrayList<>();
            Set<String> seenModels = new HashSet<>();
            List<byte[]> rows = new ArrayList<>();
            String line;
            int lineNo = 1;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                List<String> f = splitCsv(line, file, lineNo);
                if (f.size() != cols.size()) {
                    throw new EstimateException(
                            file + ":" + lineNo + ": " + f.size() + " fields, header has " + cols.size());
                }
                String model = f.get(modelCol).trim();
                if (model.isEmpty()) {
                    throw new EstimateException(
                            file + ":" + lineNo + ": column " + (modelCol + 1) + " (model): empty model name");
                }
                if (!seenModels.add(model)) {
                    throw new EstimateException(file + ":" + lineNo + ": column " + (modelCol + 1)
                            + " (model): duplicate model '" + model + "'");
                }
                byte[] row = new byte[itemIds.size()];
                for (int k = 0; k < itemIds.size(); k++) {
                    int c = itemCols.get(k);
                    String v = f.get(c).trim();
                    if (v.equals("1")) {
                        row[k] = 1;
                    } else if (!v.equals("0")) {
                        throw new EstimateException(file + ":" + lineNo + ": column " + (c + 1) + " (item '"
                                + itemIds.get(k) + "'): value '" + v + "' is not 0 or 1");
                    }
                }
                modelNames.add(model);
                rows.add(row);
            }
            if (rows.isEmpty()) {
                throw new EstimateException(file + ": no model rows");
            }
            return new ResponseMatrix(modelNames, itemIds, rows.toArray(new byte[0][]));
        }
    }

    private static List<String> splitCsv(String line, Path file, int lineNo) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int i = 0;
        int n = line.length();
        while (true) {
            cur.setLength(0);
            if (i < n && line.charAt(i) == '"') {
                int start = i;
                i++;
                while (true) {
                    if (i >= n) {
                        throw new EstimateException(file + ":" + lineNo + ": column " + (out.size() + 1)
                                + ": unterminated quoted field starting at character " + (start + 1));
                    }
                    char ch = line.charAt(i);
                    if (ch == '"') {
                        if (i + 1 < n && line.charAt(i + 1) == '"') {
                            cur.append('"');
                            i += 2;
                        } else {
                            i++;
                            break;
                        }
                    } else {
                        cur.append(ch);
                        i++;
                    }
                }
                if (i < n && line.charAt(i) != ',') {
                    throw new EstimateException(
                            file + ":" + lineNo + ": column " + (out.size() + 1) + ": text after closing quote");
                }
            } else {
                while (i < n && line.charAt(i) != ',') {
                    char ch = line.charAt(i);
                    if (ch == '"') {
                        throw new EstimateException(file + ":" + lineNo + ": column " + (out.size() + 1)
                                + ": quote inside an unquoted field");
                    }
                    cur.append(ch);
                    i++;
                }
            }
            out.add(cur.toString());
            if (i >= n) {
                return out;
            }
            i++; // the comma
        }
    }

    /** Writes the CSV form ({@code model} first, then the items). */
    public void writeCsv(Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            StringBuilder sb = new StringBuilder("model");
            for (String item : items) {
                sb.append(',').append(quote(item));
            }
            w.write(sb.append('\n').toString());
            for (int i = 0; i < models.size(); i++) {
                sb.setLength(0);
                sb.append(quote(models.get(i)));
                for (int j = 0; j < items.size(); j++) {
                    sb.append(',').append(y[i][j]);
                }
                w.write(sb.append('\n').toString());
            }
        }
    }

    private static String quote(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.equals(s.trim())) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    public int models() {
        return models.size();
    }

    public int items() {
        return items.size();
    }

    public String model(int i) {
        return models.get(i);
    }

    public String item(int j) {
        return items.get(j);
    }

    public List<String> modelNames() {
        return Collections.unmodifiableList(models);
    }

    public List<String> itemIds() {
        return Collections.unmodifiableList(items);
    }

    /** Row index of a model, or -1. */
    public int modelIndex(String model) {
        Integer i = modelIndex.get(model);
        return i == null ? -1 : i;
    }

    public int get(int model, int item) {
        return y[model][item];
    }

    /** A copy of a model's row as doubles (0.0 / 1.0). */
    public double[] row(int model) {
        double[] r = new double[items.size()];
        for (int j = 0; j < r.length; j++) {
            r[j] = y[model][j];
        }
        return r;
    }

    /** Fraction of items model {@code i} answers correctly. */
    public double accuracy(int i) {
        int s = 0;
        for (byte v : y[i]) {
            s += v;
        }
        return items.isEmpty() ? 0.0 : (double) s / items.size();
    }

    public double[] accuracies() {
        double[] a = new double[models.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = accuracy(i);
        }
        return a;
    }

    /** Fraction of models answering item {@code j} correctly. */
    public double itemMean(int j) {
        int s = 0;
        for (byte[] r : y) {
            s += r[j];
        }
        return models.isEmpty() ? 0.0 : (double) s / models.size();
    }

    /** The sub-matrix of the given model rows, in that order. */
    public ResponseMatrix selectModels(int[] rows) {
        List<String> ms = new ArrayList<>();
        byte[][] sub = new byte[rows.length][];
        for (int k = 0; k < rows.length; k++) {
            ms.add(models.get(rows[k]));
            sub[k] = y[rows[k]];
        }
        return new ResponseMatrix(ms, items, sub);
    }
}
